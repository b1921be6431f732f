// What keepalived checks while it reads a virtual_server (vs_end_handler, rs_end_handler, the
// sorry_server handlers and the checker end handlers): address families of real and sorry
// servers, sorry_server options before the sorry_server, and checkers that lack what they need.
import { ErrClass } from '../../../grammar/diagnostics.js';
import type { RawObject } from '../../../grammar/parser.js';
import type { CheckContext } from '../validate.js';
import { askForPositions, isObj, itemObjs, lineSpecOf, obj, objs, order, realServers, root, str } from './model-access.js';
import { isRemoved, REMOVED } from './script-users.js';
import { compilePcre, PcreError } from '../../check/http/pcre-regex.js';

const familyOf = (o: RawObject | undefined): number | undefined => {
  if (!o) return undefined;
  if (typeof o.family === 'number') return o.family;
  return isObj(o.addr) && typeof o.addr.family === 'number' ? o.addr.family : undefined;
};
const addrOf = (o: RawObject): string => (isObj(o.addr) ? String(o.addr.addr) : String(o.addr));
const tunnelled = (m: unknown): boolean => isObj(m) && m.method === 'TUN';

const SORRY_OPTIONS: ReadonlyArray<readonly [string, string]> = [
  ['sorry_server_inhibit', 'Ignoring sorry_server inhibit used before or without sorry_server'],
  ['sorry_server_lvs_method', 'sorry_server forwarding used without sorry_server'],
];

/** `sorry_server_inhibit` / `sorry_server_lvs_method` must follow `sorry_server`. */
function sorryOptions(ctx: CheckContext, vs: RawObject, report: (m: string, field?: string, at?: RawObject) => void): void {
  if (vs.sorry_server_inhibit === undefined && vs.sorry_server_lvs_method === undefined) return;
  for (const [field, message] of SORRY_OPTIONS) {
    if (vs[field] === undefined) continue;
    let before = vs.sorry_server === undefined;
    if (!before) {
      if (ctx.parsed.at(vs)) before = order(ctx, vs, field) < order(ctx, vs, 'sorry_server');
      else askForPositions(ctx);
    }
    if (before) {
      report(message, field);
      delete vs[field];
    }
  }
}

/** a virtual server's label in messages */
const serviceLabel = (vs: RawObject): string => (vs.kind === 'fwmark' ? `virtual_server fwmark ${String(vs.fwmark)}` : vs.kind === 'group'
  ? `virtual_server group ${String(vs.group)}` : `virtual_server ${String(vs.addr)} ${String(vs.port ?? '')}`.trim());

function checkService(ctx: CheckContext, vs: RawObject): void {
  // (the label made only for a message: this runs once per virtual server and reload)
  let block: string | undefined;
  const report = (message: string, field?: string, at: RawObject = vs) =>
    ctx.report({ cls: ErrClass.General, level: 'error', keyword: field, block: (block ??= serviceLabel(vs)), message }, at, field);

  sorryOptions(ctx, vs, report);

  // real servers: one address family per service unless tunnelled
  let family = vs.kind === 'ip' ? familyOf(vs) : undefined;
  const vsMethod = vs.lvs_method;
  const reals = realServers(ctx, vs);
  let kept: RawObject[] | null = null; // the real servers left, once one is skipped
  // A reload's handed-back real servers (ParseResult.reuseOf) were checked by the previous load
  // under the same address family without a word, and their checkers need nothing from outside
  // (reuse-policy.ts): only the fresh ones are looked at, when none of them is skipped.
  const info = vs.kind === 'ip' && family !== undefined && reals === vs.real_server ? ctx.parsed.reuseOf(vs) : undefined;
  if (info !== undefined && info.fresh.every((rs) => familyOf(rs) === undefined || familyOf(rs) === family || tunnelled(rs.lvs_method ?? vsMethod))) {
    for (const rs of info.fresh) {
      if (rs.HTTP_GET !== undefined || rs.SSL_GET !== undefined || rs.MISC_CHECK !== undefined || rs.FILE_CHECK !== undefined
        || rs.UDP_CHECK !== undefined || rs.BFD_CHECK !== undefined) checkCheckers(ctx, rs, report);
    }
  } else for (let i = 0; i < reals.length; i++) {
    // This loop runs once per real server, mostly before V8 optimises it, where every call costs:
    // tunnelled() and familyOf() are spelled out, checkCheckers() is called only for a real
    // server that has a checker, and the loop is indexed (for-of allocates per step).
    const rs = reals[i];
    const m = rs.lvs_method ?? vsMethod;
    if (!(typeof m === 'object' && m !== null && (m as RawObject).method === 'TUN')) {
      const a = rs.addr;
      const f = typeof rs.family === 'number' ? rs.family
        : typeof a === 'object' && a !== null && !Array.isArray(a) && typeof (a as RawObject).family === 'number' ? (a as RawObject).family as number : undefined;
      if (family === undefined) family = f;
      else if (f !== undefined && f !== family) {
        report(`Address family of virtual server and real server ${addrOf(rs)} don't match - skipping real server.`, undefined, rs);
        kept ??= reals.slice(0, i);
        continue;
      }
    }
    if (rs.HTTP_GET !== undefined || rs.SSL_GET !== undefined || rs.MISC_CHECK !== undefined || rs.FILE_CHECK !== undefined
      || rs.UDP_CHECK !== undefined || rs.BFD_CHECK !== undefined) checkCheckers(ctx, rs, report);
    if (kept !== null) kept.push(rs);
  }
  // (a new list only when it differs: a server skipped, or something not an object dropped)
  if (vs.real_server !== undefined && (kept !== null || reals !== vs.real_server)) vs.real_server = kept ?? reals.slice();

  const sorry = obj(vs, 'sorry_server');
  if (sorry && !tunnelled(vs.sorry_server_lvs_method ?? vsMethod)) {
    const f = familyOf(sorry);
    if (family !== undefined && f !== undefined && f !== family && vs.kind === 'ip') {
      report(`Address family of virtual server and sorry server ${String(sorry.addr)} don't match - skipping sorry server.`, 'sorry_server');
      delete vs.sorry_server;
    }
  }
}

/**
 * HTTP_GET / SSL_GET blocks (`checkers`: the field's value) need a url with a path. Walks the
 * values as objs() would see them, without its calls (once per real server, mostly unoptimised).
 */
function checkUrls(checkers: unknown, field: string, report: (m: string, field?: string, at?: RawObject) => void): void {
  const one = isObj(checkers);
  const n = one ? 1 : Array.isArray(checkers) ? checkers.length : 0;
  for (let i = 0; i < n; i++) {
    const c: unknown = one ? checkers : (checkers as unknown[])[i];
    if (!isObj(c)) continue;
    const list = c.url;
    const single = isObj(list);
    const m = single ? 1 : Array.isArray(list) ? list.length : 0;
    let urls = 0;
    for (let j = 0; j < m; j++) {
      const u: unknown = single ? list : (list as unknown[])[j];
      if (!isObj(u)) continue;
      if (u.path !== undefined) urls++;
      else report('HTTP/SSL_GET checker url has no path - ignoring', undefined, u);
      if (typeof u.regex === 'string') checkRegex(u, report);
    }
    if (urls === 0) report(`${field} checker has no urls specified - ignoring`, undefined, c);
  }
}

/** A regex PCRE2 refuses, or that lvsd cannot match as PCRE2 does, is an error at its line. */
function checkRegex(u: RawObject, report: (m: string, field?: string, at?: RawObject) => void): void {
  try {
    compilePcre(String(u.regex), Array.isArray(u.regex_options) ? (u.regex_options as string[]) : []);
  } catch (e) {
    if (!(e instanceof PcreError)) throw e;
    report(`Invalid regex: '${String(u.regex)}': ${e.message}`, 'regex', u);
  }
}

/** Checker blocks that keepalived drops at their end: nothing to check with. */
function checkCheckers(ctx: CheckContext, rs: RawObject, report: (m: string, field?: string, at?: RawObject) => void): void {
  // (named reads first: a real server rarely has more than one kind of checker, and objs() with
  // a field name per call is a slow generic lookup at 100,000 real servers)
  if (rs.HTTP_GET !== undefined) checkUrls(rs.HTTP_GET, 'HTTP_GET', report);
  if (rs.SSL_GET !== undefined) checkUrls(rs.SSL_GET, 'SSL_GET', report);
  if (rs.MISC_CHECK !== undefined) for (const c of objs(rs, 'MISC_CHECK')) {
    if (c.misc_path === undefined) {
      report('No script path has been specified for MISC_CHECKER - skipping', undefined, c);
      c[REMOVED] = true;
    }
  }
  if (rs.FILE_CHECK !== undefined) for (const c of objs(rs, 'FILE_CHECK')) {
    const name = str(c, 'track_file');
    if (name === undefined) {
      report('FILE_CHECK has no track_file specified - ignoring', undefined, c);
      continue;
    }
    const at = order(ctx, c, 'track_file');
    const declared = objs(root(ctx), 'track_file').some((t) => t.name === name && !isRemoved(t) && order(ctx, t) < at);
    if (!declared) {
      report(`track_file ${name} not found (declare the track_file block before its first use)`, 'track_file', c);
      report('FILE_CHECK has no track_file specified - ignoring', undefined, c);
    }
  }
  if (rs.UDP_CHECK !== undefined) for (const c of objs(rs, 'UDP_CHECK')) {
    const min = typeof c.min_reply_length === 'number' ? c.min_reply_length : 0;
    const max = typeof c.max_reply_length === 'number' ? c.max_reply_length : 255;
    if (min > max) report(`UDP_CHECK min_reply length ${min} > max_reply_length ${max} - will always fail`, 'min_reply_length', c);
  }
  if (rs.BFD_CHECK !== undefined) for (const c of objs(rs, 'BFD_CHECK')) {
    const name = str(c, 'name');
    if (name === undefined) {
      report(`(${addrOf(rs)}) No name has been specified for BFD_CHECKER - skipping`, undefined, c);
      continue;
    }
    if (!objs(root(ctx), 'bfd_instance').some((b) => b.name === name)) {
      report(`(${addrOf(rs)}) BFD_CHECK - BFD ${name} not configured`, 'name', c);
    }
  }
}

export function checkRealServers(ctx: CheckContext): void {
  // an empty virtual_server_group block, when the parser keeps the entries of all groups in
  // one list (a parser keeping one object per group reports empty blocks itself)
  const r = root(ctx);
  if (Array.isArray(r.virtual_server_group) && itemObjs(r, 'virtual_server_group').length === 0 && !lineSpecOf(['virtual_server_group'])?.emptyMessage) {
    ctx.report({ cls: ErrClass.General, level: 'error', keyword: 'virtual_server_group', message: 'virtual server group has no entries - removing' }, r, 'virtual_server_group');
  }
  for (const vs of objs(r, 'virtual_server')) checkService(ctx, vs);
}
