// bfd_instance of keepalived.conf(5) ("BFD CONFIGURATION"), after keepalived 2.2.7 bfd/bfd_parser.c.
import type { KeywordSpec, ValueType } from './types.js';
import { decimal, int, ip, name, uint } from './values.js';
import { conv, flag, supported, val, valOrWarn, weightReverse } from './shared.js';

const BFD = supported; // src/bfd/ (RFC 5880/5881 sessions), interop-tested with keepalived 2.2.7
// max_hops: checked for IPv4 (read through a raw socket); IPv6 hop limits are not visible to
// Node (recvmsg control data), and lvsd warns at start for such instances.
const MAX_HOPS = supported;

/** Milliseconds with up to 3 decimals, returned in microseconds (keepalived reads them with shift 3). */
function millis(minMs: number, maxMs: number): ValueType<number> {
  return { ...decimal(minMs * 1000, maxMs * 1000, 3), name: `MILLISECONDS ${minMs}..${maxMs}` };
}
const MS_MAX = Math.floor(4294967295 / 1000);

export const bfdInstance: KeywordSpec = {
  name: 'bfd_instance',
  args: [{ name: 'name', type: name(31, 'BFD instance name') }],
  repeatable: true,
  support: BFD,
  doc: 'A BFD session (RFC 5880) with a neighbour.',
  block: {
    keywords: [
      valOrWarn('neighbor_ip', ip, BFD, 'Neighbour address.', { aliases: ['neighbour_ip'], example: '10.99.0.7' }),
      val('source_ip', ip, BFD, 'Source address.'),
      val('min_rx', millis(1, MS_MAX), BFD, 'Required minimum RX interval (ms; µs in the model).', { default: 10_000 }),
      val('min_tx', millis(1, MS_MAX), BFD, 'Desired minimum TX interval (ms; µs in the model).', { default: 10_000 }),
      val('idle_tx', millis(1000, MS_MAX), BFD, 'Desired idle TX interval (ms; µs in the model).', { default: 1_000_000 }),
      val('multiplier', uint(1, 255), BFD, 'Missed packets before the session is down.', { default: 5 }),
      flag('passive', BFD, 'Passive mode.'),
      val('ttl', uint(1, 255), BFD, 'IPv4 TTL of sent packets.', { default: 255 }),
      val('hoplimit', uint(1, 255), BFD, 'IPv6 hop limit of sent packets.', { default: 64 }),
      val('max_hops', int(-1, 255), MAX_HOPS, 'Maximum TTL/hop limit reduction of received packets (255 disables the check; lvsd checks IPv4 only).', { default: 0 }),
      conv('weight', weightReverse(-253, 253), BFD, 'Default tracking weight -253..253 [reverse].', { default: { weight: 0, reverse: false } }),
      flag('vrrp', BFD, 'Send events only to VRRP.'),
      flag('checker', BFD, 'Send events only to the checkers.'),
    ],
  },
};
