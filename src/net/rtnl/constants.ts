// rtnetlink numbers from /usr/include/linux/{netlink,rtnetlink,if_addr,if_link}.h.

export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;

export const NLM_F_REQUEST = 0x01;
export const NLM_F_ACK = 0x04;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;

export const AF_INET = 2;
export const AF_INET6 = 10;

// struct ifaddrmsg attributes
export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_LABEL = 3;
export const IFA_BROADCAST = 4;
export const IFA_F_NODAD = 0x02;

// struct ifinfomsg attributes
export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_LINK = 5;
export const IFLA_LINKINFO = 18;
export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
export const IFLA_MACVLAN_MODE = 1;
export const MACVLAN_MODE_PRIVATE = 1;

export const IFF_UP = 0x1;
export const IFF_RUNNING = 0x40;

/** Address scopes as iproute2 and keepalived name them (rt_scope_t). */
export const SCOPES: Readonly<Record<string, number>> = {
  global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255,
};
