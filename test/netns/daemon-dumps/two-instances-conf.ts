// The config both dump suites run: two VRRP instances on dd0 (one BACKUP, one MASTER with PASS
// auth and a VIP on dd1), adverts every 255 s so nothing changes while the dumps are taken.
export const twoInstanceConf = (routerId: string): string => `global_defs {
  router_id ${routerId}
}
vrrp_instance VI_1 {
  state BACKUP
  interface dd0
  virtual_router_id 51
  priority 100
  advert_int 255
  virtual_ipaddress {
    10.88.0.100/24
  }
}
vrrp_instance VI_2 {
  state MASTER
  interface dd0
  virtual_router_id 52
  priority 255
  advert_int 255
  authentication {
    auth_type PASS
    auth_pass secret
  }
  virtual_ipaddress {
    10.88.0.101/24
    10.88.0.102/32 dev dd1
  }
}
`;
