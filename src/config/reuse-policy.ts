// Which parsed blocks a reload may hand back as they are (grammar/reuse.ts), given what the model
// checks do to them. A kept real_server is the object the previous load's checks finished, so
// the checks must leave it as it is, now and then, without a word:
// - virtual-server.ts gives a real server without lvs_method its virtual server's (no message),
//   and a real server without a port its virtual server's port: a kept one must have its port
//   (the duplicate check reads ports before they are filled in), and what of its virtual server
//   those checks read must be the same (parentSignature: address, family, port, fwmark, method;
//   a change of other settings, delay_loop or quorum, leaves the real servers reusable);
// - checks that look outside the virtual server (BFD instances, track files, script files and
//   users) or remove parts of a real server: MISC_CHECK, BFD_CHECK, FILE_CHECK, notify_up/down;
// - `virtual_server group NAME` depends on the virtual_server_group blocks: never kept.
// Any message from a check makes the load parse again with positions, without reuse.
import type { RawObject } from '../../grammar/parser.js';
import type { ReusePolicy } from '../../grammar/reuse.js';

/** the virtual server's fields the checks of its real servers read (virtual-server.ts, real-servers.ts) */
const READ = ['kind', 'addr', 'family', 'port', 'fwmark', 'ip_family', 'lvs_method'] as const;

/**
 * One field's value, told apart from every other value of any type: a string with its length,
 * a number, absent; anything else as JSON. (A parse computes 100 of these at 10,000 real servers:
 * JSON.stringify of each scalar was the cost, run cold by a reload under emulation.)
 */
function part(v: unknown): string {
  if (typeof v === 'string') return `s${v.length}:${v}`;
  if (typeof v === 'number') return `n${v}`;
  if (v === undefined) return '-';
  return `j${JSON.stringify(v) ?? '?'}`;
}

function signature(vs: RawObject): string | null {
  if (vs.kind !== 'ip' && vs.kind !== 'fwmark') return null;
  let s = '';
  for (let i = 0; i < READ.length; i++) s += `${part(vs[READ[i]])},`;
  return s;
}

export const realServerReuse: ReusePolicy = {
  keywords: new Set(['real_server']),
  deny: new Set(['MISC_CHECK', 'BFD_CHECK', 'FILE_CHECK', 'notify_up', 'notify_down']),
  eligible: (rs) => typeof rs.port === 'number' && rs.port > 0,
  parentSignature: signature,
  // a virtual_server's lines before its first real_server, a whole vrrp_instance: a copy of what
  // they gave is the block those lines would make (the checks then run on it as on one read anew)
  headers: new Set(['virtual_server', 'vrrp_instance']),
};
