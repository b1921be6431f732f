// Test-only raw sender: writes the given IPv4 packets (hex, IP header included) on one
// interface with IP_HDRINCL. The kernel fills in the IP checksum and total length.
// Usage: node sender.mjs <ifname> <dst> <hex> [<hex> ...]   (NODE_PATH must reach raw-socket)
import { createRequire } from 'node:module';

const raw = createRequire(import.meta.url)('raw-socket');
const [ifname, dst, ...hexes] = process.argv.slice(2);
const int32 = (v) => { const b = Buffer.alloc(4); b.writeInt32LE(v); return b; };
const sockets = new Map();
function socketFor(proto) {
  if (!sockets.has(proto)) {
    const s = raw.createSocket({ protocol: proto });
    const dev = Buffer.from(`${ifname}\0`);
    s.setOption(1, 25, dev, dev.length); // SO_BINDTODEVICE
    s.setOption(0, 3, int32(1), 4); // IP_HDRINCL
    sockets.set(proto, s);
  }
  return sockets.get(proto);
}
let left = hexes.length;
for (const hex of hexes) {
  const pkt = Buffer.from(hex, 'hex');
  socketFor(pkt[9]).send(pkt, 0, pkt.length, dst, (err) => {
    if (err) console.error(`send failed: ${err.message}`);
    if (--left === 0) { for (const s of sockets.values()) s.close(); }
  });
}
