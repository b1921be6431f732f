// virtual_routes / virtual_rules lines (the grammar's `ip route` / `ip rule` shapes) -> what
// net/routes.ts installs. Pure: table names come from a lookup the caller supplies
// (net/rt-tables.ts). Options lvsd cannot install yet make the line an error, reported
// once, rather than a different route than the one configured.
import type { Route, Rule } from '../net/routes.js';
import type { Family } from '../net/ip.js';

type Opts = Record<string, string | true>;

export interface RouteLineModel {
  dst: string;
  type?: string;
  family?: Family;
  options: Opts;
  nexthops?: Opts[];
  encap?: string[];
}

export interface RuleLineModel {
  family?: Family;
  options: Opts;
}

/** A route whose output interface is still a name (resolved to an ifindex when installed). */
export type RouteSpec = Omit<Route, 'ifindex'> & { dev?: string; text: string };
export type RuleSpec = Rule & { text: string };

export type Planned<T> = { ok: true; value: T } | { ok: false; error: string };

const SCOPES: Record<string, number> = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const PROTOCOLS: Record<string, number> = { redirect: 1, kernel: 2, boot: 3, static: 4, ra: 9, dhcp: 16, keepalived: 18 };
const TABLES: Record<string, number> = { default: 253, main: 254, local: 255 };

function number(t: string, max = 0xffffffff): number | undefined {
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= max ? n : undefined;
}

function named(t: string, names: Record<string, number> | Map<string, number>, max: number): number | undefined {
  const v = names instanceof Map ? names.get(t) : names[t];
  return v ?? number(t, max);
}

function table(t: string, rtTables: Map<string, number>): number | undefined {
  const n = TABLES[t] ?? rtTables.get(t) ?? number(t);
  return n === 0 ? undefined : n;
}

function lineText(o: Opts, head: string[]): string {
  return [...head, ...Object.entries(o).map(([k, v]) => (v === true ? k : `${k} ${v}`))].join(' ');
}

const ROUTE_OPTS = new Set(['src', 'via', 'dev', 'oif', 'table', 'metric', 'priority', 'preference', 'protocol', 'scope', 'no_track']);

export function routeSpec(l: RouteLineModel, rtTables: Map<string, number> = new Map()): Planned<RouteSpec> {
  const text = lineText(l.options, [...(l.type ? [l.type] : []), l.dst]);
  const fail = (why: string): Planned<RouteSpec> => ({ ok: false, error: `virtual_route "${text}": ${why}` });
  if (l.nexthops || l.encap) return fail('nexthop and encap routes are not supported');
  for (const k of Object.keys(l.options)) if (!ROUTE_OPTS.has(k)) return fail(`option ${k} is not supported`);
  let dst = l.dst;
  if (dst === 'default' || dst === 'any' || dst === 'all') dst = l.family === 6 ? '::/0' : '0.0.0.0/0';
  else if (dst === 'default6') dst = '::/0';
  const [to, len] = dst.split('/');
  const r: RouteSpec = { to, text };
  if (len !== undefined) r.prefixLength = Number(len);
  if (l.type) r.type = l.type;
  const o = l.options;
  const str = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  if (str('via')) r.via = str('via');
  if (str('src')) r.src = str('src');
  const dev = str('dev') ?? str('oif');
  if (dev) r.dev = dev;
  const metric = str('metric') ?? str('priority') ?? str('preference');
  if (metric !== undefined) {
    const n = number(metric);
    if (n === undefined) return fail(`bad metric ${metric}`);
    r.metric = n;
  }
  if (str('table')) {
    const n = table(str('table') as string, rtTables);
    if (n === undefined) return fail(`unknown table ${str('table')}`);
    r.table = n;
  }
  if (str('protocol')) {
    const n = named(str('protocol') as string, PROTOCOLS, 255);
    if (n === undefined) return fail(`unknown protocol ${str('protocol')}`);
    r.protocol = n;
  }
  if (str('scope')) {
    const n = named(str('scope') as string, SCOPES, 255);
    if (n === undefined) return fail(`unknown scope ${str('scope')}`);
    r.scope = n;
  }
  return { ok: true, value: r };
}

const RULE_OPTS = new Set(['from', 'to', 'fwmark', 'iif', 'dev', 'oif', 'table', 'preference', 'not', 'type', 'goto', 'no_track']);

export function ruleSpec(l: RuleLineModel, family: Family, rtTables: Map<string, number> = new Map()): Planned<RuleSpec> {
  const text = lineText(l.options, []);
  const fail = (why: string): Planned<RuleSpec> => ({ ok: false, error: `virtual_rule "${text}": ${why}` });
  for (const k of Object.keys(l.options)) if (!RULE_OPTS.has(k)) return fail(`option ${k} is not supported`);
  const o = l.options;
  const str = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const r: RuleSpec = { table: 0, text };
  const from = str('from');
  const to = str('to');
  if (from && from !== 'all') r.from = from;
  if (to && to !== 'all') r.to = to;
  if (!r.from && !r.to) r.family = l.family ?? family;
  const mark = str('fwmark');
  if (mark) {
    const [m, mask] = mark.split('/');
    const n = number(m);
    const nm = mask === undefined ? undefined : number(mask);
    if (n === undefined || (mask !== undefined && nm === undefined)) return fail(`bad fwmark ${mark}`);
    r.fwmark = n;
    if (nm !== undefined) r.fwmask = nm;
  }
  const iif = str('iif') ?? str('dev');
  if (iif) r.iif = iif;
  if (str('oif')) r.oif = str('oif');
  const pref = str('preference');
  if (pref !== undefined) {
    const n = number(pref);
    if (n === undefined) return fail(`bad preference ${pref}`);
    r.priority = n;
  }
  if (o.not === true) r.not = true;
  if (str('table')) {
    const n = table(str('table') as string, rtTables);
    if (n === undefined) return fail(`unknown table ${str('table')}`);
    r.table = n;
  } else if (str('goto')) {
    r.action = 'goto';
    r.goto = number(str('goto') as string);
  } else if (str('type')) {
    r.action = str('type');
  } else {
    return fail('no action');
  }
  return { ok: true, value: r };
}
