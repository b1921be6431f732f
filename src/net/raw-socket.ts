// The raw-socket package (CommonJS, no types of its own) as lvsd uses it: VRRP adverts and
// ICMP echo. One typed view and one loader for both.
import { createRequire } from 'node:module';

export interface RawSocket {
  on(event: 'message', cb: (buf: Buffer, source: string) => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
  setOption(level: number, option: number, value: Buffer | number, length?: number): void;
  send(buf: Buffer, offset: number, length: number, address: string, after: (err: Error | null, bytes: number) => void): void;
  close(): void;
}

export interface RawSocketModule {
  createSocket(o: { protocol: number; addressFamily?: number; bufferSize?: number }): RawSocket;
  AddressFamily: { IPv4: number; IPv6: number };
  Protocol: { ICMP: number; ICMPv6: number };
}

let mod: RawSocketModule | undefined;

export function loadRawSocket(): RawSocketModule {
  mod ??= createRequire(import.meta.url)('raw-socket') as RawSocketModule;
  return mod;
}
