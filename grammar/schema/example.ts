// Style example for the schema files (the schema helper replaces this with the real tables).
import type { KeywordSpec } from './types.js';
import { uint, seconds, string, oneOf, ipPrefix, ifname } from './values.js';

const later = (what: string) => ({ status: 'accepted' as const, later: what });
const supported = { status: 'supported' as const };

export const exampleVrrpInstance: KeywordSpec = {
  name: 'vrrp_instance',
  args: [{ name: 'name', type: string }],
  repeatable: true,
  support: supported,
  doc: 'A VRRP instance: one virtual router on one interface.',
  block: {
    keywords: [
      { name: 'state', args: [{ name: 'value', type: oneOf(['MASTER', 'BACKUP']) }], support: supported, doc: 'Initial state.' },
      { name: 'interface', args: [{ name: 'value', type: ifname }], support: supported, doc: 'Interface the instance runs on.' },
      { name: 'virtual_router_id', args: [{ name: 'value', type: uint(1, 255) }], support: supported, doc: 'VRID 1..255.' },
      { name: 'priority', args: [{ name: 'value', type: uint(1, 255) }], default: 100, support: supported, doc: 'Election priority.' },
      { name: 'advert_int', args: [{ name: 'value', type: seconds(0.01, 255) }], default: 1_000_000, support: supported, doc: 'Advert interval (s).' },
      { name: 'nopreempt', flag: true, support: supported, doc: 'Do not preempt a lower-priority master.' },
      { name: 'use_vmac', args: [{ name: 'value', type: string, optional: true }], support: later('VRRP issue: use_vmac'), doc: 'Use a macvlan with the VRRP MAC.' },
      {
        name: 'virtual_ipaddress',
        support: supported,
        doc: 'Addresses the master holds.',
        lines: {
          name: 'address',
          convert(words, ctx) {
            const r = ipPrefix.parse(words[0].text);
            if (!r.ok) { ctx.report(r.cls, r.message, words[0]); return undefined; }
            return { ...r.value };
          },
        },
      },
    ],
  },
};
