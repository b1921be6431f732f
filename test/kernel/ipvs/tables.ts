// ipvsadm -S text of a table with every kind of service and forwarding method, shared by
// the kernel suites that restore and list it.
export const MIXED_TABLE = [
  '-A -t 10.0.0.1:80 -s wlc',
  '-a -t 10.0.0.1:80 -r 192.168.1.10:8080 -m -w 7',
  '-a -t 10.0.0.1:80 -r 192.168.1.11:80 -g -w 0',
  '-a -t 10.0.0.1:80 -r 192.168.1.12:80 -i -w 1 --tun-type ipip',
  '-a -t 10.0.0.1:80 -r 192.168.1.13:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum',
  '-a -t 10.0.0.1:80 -r 192.168.1.14:80 -i -w 1 --tun-type gre --tun-csum',
  '-A -u 10.0.0.1:53 -s wrr -p 600 -M 255.255.255.0',
  '-A --sctp-service 10.0.0.1:3868 -s sh -b sh-fallback,sh-port',
  '-A -t [2001:db8::1]:443 -s wlc -p 120 -M 64',
  '-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -m -w 5',
  '-A -f 5 -s mh -b mh-port',
  '-a -f 5 -r 192.168.1.20:0 -g -w 1',
  '-A -f 6 -6 -s lc -p 300',
  '',
].join('\n');
