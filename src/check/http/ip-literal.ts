// Server addresses as keepalived's inet_stosockaddr reads them: an IPv6
// literal if it contains ':', otherwise dotted-quad IPv4 (inet_pton rules: no
// leading zeros, no shorthand); anything from a '-' or '/' on is ignored.
import net from 'node:net';

export interface IpLiteral {
  /** Canonical text, as inet_ntop prints it (used in the Host header). */
  readonly address: string;
  readonly family: 4 | 6;
}

function parseIpv4(s: string): string | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p[0] === '0') || Number(p) > 255) return null;
  }
  return s;
}

export function parseIpLiteral(text: string): IpLiteral | null {
  const family: 4 | 6 = text.includes(':') ? 6 : 4;
  const cut = text.search(/[-/]/);
  const ip = cut < 0 ? text : text.slice(0, cut);
  if (family === 4) {
    const a = parseIpv4(ip);
    return a === null ? null : { address: a, family };
  }
  if (ip.includes('%') || !net.isIPv6(ip)) return null;
  // SocketAddress prints through libuv's inet_ntop, which shortens like glibc's.
  return { address: new net.SocketAddress({ address: ip, family: 'ipv6' }).address, family };
}
