// bfd_instance blocks as keepalived's BFD parser closes them (alloc_bfd, bfd_end_handler):
// one name once, a neighbour address, source and neighbour of one family, one session per
// address pair, max_hops within the TTL / hop limit. Refused instances leave the model.
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { label, num, obj, objs, root, written } from './model-access.js';
import { REMOVED } from './script-users.js';

const BFD = ['bfd_instance'] as const;

export function checkBfdInstances(ctx: CheckContext): void {
  const kept: RawObject[] = [];
  const list = objs(root(ctx), 'bfd_instance');
  for (const b of list) {
    const name = String(b.name);
    const report = (message: string, field?: string) =>
      ctx.report({ cls: ErrClass.General, level: 'error', keyword: field, block: label('bfd_instance', b), message: `Configuration error: BFD instance ${name} ${message}` }, b, field);
    const drop = (message: string, field?: string) => { report(message, field); b[REMOVED] = true; };
    if (kept.some((k) => k.name === b.name)) { drop('already configured - ignoring'); continue; }
    const nbr = obj(b, 'neighbor_ip');
    const src = obj(b, 'source_ip');
    if (!nbr) { drop('has no neighbor_ip address set, disabling instance'); continue; }
    if (src && src.family !== nbr.family) {
      drop(`source address ${String(src.addr)} and neighbor_ip address ${String(nbr.addr)} are not of the same family, disabling instance`, 'source_ip');
      continue;
    }
    const dup = kept.find((k) => obj(k, 'neighbor_ip')?.addr === nbr.addr && obj(k, 'source_ip')?.addr === src?.addr);
    if (dup) { drop(`has duplicate ${src ? 'source/' : ''}neighbor_ip address ${src ? `${String(src.addr)}/` : ''}${String(nbr.addr)}, ignoring instance`, 'neighbor_ip'); continue; }
    const ttl = written(ctx, b, 'hoplimit', BFD) ? num(b, 'hoplimit') : written(ctx, b, 'ttl', BFD) ? num(b, 'ttl') : nbr.family === 6 ? 64 : 255;
    const maxHops = num(b, 'max_hops') ?? 0;
    if (ttl !== undefined && maxHops > ttl) {
      ctx.report({ cls: ErrClass.General, level: 'error', keyword: 'max_hops', block: label('bfd_instance', b), message: `BFD instance ${name}: max_hops exceeds ttl/hoplimit - setting to ttl/hoplimit` }, b, 'max_hops');
      b.max_hops = ttl;
    }
    kept.push(b);
  }
  if (kept.length !== list.length) root(ctx).bfd_instance = kept;
}
