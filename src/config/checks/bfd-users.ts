// Who may use a bfd_instance, as keepalived settles it while parsing: `vrrp` / `checker` in a
// bfd_instance hide it from the other process, so a track_bfd naming a checker-only instance
// is "not found" and a BFD_CHECK naming a vrrp-only one is "not configured". A BFD_CHECK also
// sees only the instances declared before it, and one real server follows an instance once.
// Refused entries leave the model as keepalived drops them. Unknown names are reported by
// vrrp-tracking.ts and real-servers.ts; this check leaves them to those.
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { askForPositions, isObj, items, label, objs, order, root, str, vrrpInstances } from './model-access.js';
import { isRemoved } from './script-users.js';

/** Neither or both of `vrrp` / `checker` set: both processes hear the instance. */
const forVrrp = (b: RawObject): boolean => b.vrrp === true || b.checker !== true;
const forChecker = (b: RawObject): boolean => b.checker === true || b.vrrp !== true;

function trackBfds(ctx: CheckContext, owner: RawObject, ownerName: string, block: string, checkerOnly: ReadonlySet<string>): void {
  const list = items(owner, 'track_bfd');
  if (!list.some((i) => isObj(i) && typeof i.name === 'string' && checkerOnly.has(i.name))) return;
  const kept: unknown[] = [];
  for (const item of list) {
    if (isObj(item) && typeof item.name === 'string' && checkerOnly.has(item.name)) {
      ctx.report({ cls: ErrClass.General, level: 'error', keyword: 'track_bfd', block, message: `(${ownerName}) track bfd ${item.name} not found, ignoring...` }, owner, 'track_bfd');
    } else kept.push(item);
  }
  owner.track_bfd = kept;
}

const addrOf = (o: RawObject): string => (isObj(o.addr) ? String(o.addr.addr) : String(o.addr));

function bfdChecks(ctx: CheckContext, vs: RawObject, bfds: RawObject[]): void {
  const block = vs.kind === 'fwmark' ? `virtual_server fwmark ${String(vs.fwmark)}` : vs.kind === 'group' ? `virtual_server group ${String(vs.group)}` : `virtual_server ${String(vs.addr)} ${String(vs.port ?? '')}`.trim();
  for (const rs of objs(vs, 'real_server')) {
    const checks = objs(rs, 'BFD_CHECK');
    if (checks.length === 0) continue;
    const kept: RawObject[] = [];
    const followed = new Set<string>();
    for (const c of checks) {
      const name = str(c, 'name');
      const decl = name === undefined ? undefined : bfds.find((b) => b.name === name);
      // unnamed or unknown: real-servers.ts reports it and the runtime skips it
      if (name === undefined || !decl) { kept.push(c); continue; }
      const report = (message: string) => ctx.report({ cls: ErrClass.General, level: 'error', keyword: 'name', block, message: `(${addrOf(rs)}) BFD_CHECK - ${message}` }, c, 'name');
      if (!forChecker(decl) || order(ctx, decl) > order(ctx, c, 'name')) report(`BFD ${name} not configured`);
      else if (followed.has(name)) report(`RS already monitoring ${name}`);
      else {
        followed.add(name);
        kept.push(c);
      }
    }
    if (kept.length !== checks.length) rs.BFD_CHECK = kept;
  }
}

export function checkBfdUsers(ctx: CheckContext): void {
  const bfds = objs(root(ctx), 'bfd_instance').filter((b) => !isRemoved(b));
  if (bfds.length === 0) return;
  const checkerOnly = new Set(bfds.filter((b) => !forVrrp(b)).map((b) => String(b.name)));
  if (checkerOnly.size > 0) {
    for (const sg of objs(root(ctx), 'vrrp_sync_group')) trackBfds(ctx, sg, String(sg.name), label('vrrp_sync_group', sg), checkerOnly);
    for (const vi of vrrpInstances(ctx)) trackBfds(ctx, vi, String(vi.name), label('vrrp_instance', vi), checkerOnly);
  }
  const services = objs(root(ctx), 'virtual_server');
  // the file order of bfd_instance and BFD_CHECK decides: without positions, ask for them
  if (!ctx.parsed.at(bfds[0]) && services.some((vs) => objs(vs, 'real_server').some((rs) => rs.BFD_CHECK !== undefined))) {
    askForPositions(ctx);
    return;
  }
  for (const vs of services) bfdChecks(ctx, vs, bfds);
}
