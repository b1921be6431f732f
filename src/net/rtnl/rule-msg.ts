// RTM_NEWRULE / RTM_DELRULE bodies for keepalived's virtual_rules, attribute for attribute as
// `ip rule add|del` sends them (golden bytes in rtnl-iproute2.json).
import { attr, attrCString, attrU32, body } from './attrs.js';
import {
  AF_INET, AF_INET6, FIB_RULE_INVERT, FRA_DST, FRA_GOTO, FRA_FWMARK, FRA_FWMASK, FRA_IIFNAME, FRA_OIFNAME, FRA_PRIORITY, FRA_SRC,
  FRA_TABLE, FR_ACT_TO_TBL, NLM_F_CREATE, NLM_F_EXCL, RTM_DELRULE, RTM_NEWRULE, RT_TABLE_UNSPEC,
} from './constants.js';
import type { RtnlRequest } from './address-msg.js';
import type { Family } from '../ip.js';

export interface ResolvedRule {
  family: Family;
  src?: { address: Buffer; length: number };
  dst?: { address: Buffer; length: number };
  fwmark?: number;
  fwmask?: number;
  iif?: string;
  oif?: string;
  table: number;
  priority?: number;
  invert: boolean;
  /** FR_ACT_*; default FR_ACT_TO_TBL. */
  action?: number;
  /** FR_ACT_GOTO: the preference to jump to. */
  goto?: number;
}

function header(r: ResolvedRule, action: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt8(r.family === 4 ? AF_INET : AF_INET6, 0);
  h.writeUInt8(r.dst?.length ?? 0, 1);
  h.writeUInt8(r.src?.length ?? 0, 2);
  h.writeUInt8(r.table < 256 ? r.table : RT_TABLE_UNSPEC, 4);
  h.writeUInt8(action, 7);
  h.writeUInt32LE(r.invert ? FIB_RULE_INVERT : 0, 8);
  return h;
}

function attrs(r: ResolvedRule): Buffer[] {
  const a: Buffer[] = [];
  if (r.src) a.push(attr(FRA_SRC, r.src.address));
  if (r.dst) a.push(attr(FRA_DST, r.dst.address));
  if (r.iif !== undefined) a.push(attrCString(FRA_IIFNAME, r.iif));
  if (r.oif !== undefined) a.push(attrCString(FRA_OIFNAME, r.oif));
  if (r.fwmark !== undefined) a.push(attrU32(FRA_FWMARK, r.fwmark));
  if (r.fwmask !== undefined) a.push(attrU32(FRA_FWMASK, r.fwmask));
  if (r.table >= 256) a.push(attrU32(FRA_TABLE, r.table));
  if (r.priority !== undefined) a.push(attrU32(FRA_PRIORITY, r.priority));
  if (r.goto !== undefined) a.push(attrU32(FRA_GOTO, r.goto));
  return a;
}

export function newRuleRequest(r: ResolvedRule): RtnlRequest {
  return { type: RTM_NEWRULE, flags: NLM_F_CREATE | NLM_F_EXCL, body: body(header(r, r.action ?? FR_ACT_TO_TBL), attrs(r)) };
}

/** Action 0 matches any action, as `ip rule del` sends it. */
export function delRuleRequest(r: ResolvedRule): RtnlRequest {
  return { type: RTM_DELRULE, flags: 0, body: body(header(r, 0), attrs(r)) };
}
