// RTM_NEWRULE / RTM_DELRULE bodies for keepalived's virtual_rules, attribute for attribute as
// `ip rule add|del` sends them (golden bytes in rtnl-iproute2.json).
import { attr, attrCString, attrU32, body } from './attrs.js';
import {
  FIB_RULE_INVERT, FRA_DST, FRA_GOTO, FRA_FWMARK, FRA_FWMASK, FRA_IIFNAME, FRA_OIFNAME, FRA_PRIORITY, FRA_SRC,
  FRA_TABLE, FR_ACT_TO_TBL, RTM_DELRULE, RTM_NEWRULE,
} from './constants.js';
import { addressFamily, createRequest, header, plainRequest, tableAttrs, tableByte, type RtnlRequest } from './request.js';
import type { Family } from '../ip.js';

/** The parts of a rule sent as they are configured (keepalived's virtual_rules keywords). */
export interface RuleSelectors {
  fwmark?: number;
  fwmask?: number;
  iif?: string;
  oif?: string;
  priority?: number;
}

export interface ResolvedRule extends RuleSelectors {
  family: Family;
  src?: { address: Buffer; length: number };
  dst?: { address: Buffer; length: number };
  table: number;
  invert: boolean;
  /** FR_ACT_*; default FR_ACT_TO_TBL. */
  action?: number;
  /** FR_ACT_GOTO: the preference to jump to. */
  goto?: number;
}

/** struct fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2, action; u32 flags */
function fibRuleHdr(r: ResolvedRule, action: number): Buffer {
  return header(
    12,
    { 0: addressFamily(r.family), 1: r.dst?.length ?? 0, 2: r.src?.length ?? 0, 4: tableByte(r.table), 7: action },
    { 8: r.invert ? FIB_RULE_INVERT : 0 },
  );
}

function attrs(r: ResolvedRule): Buffer[] {
  const a: Buffer[] = [];
  if (r.src) a.push(attr(FRA_SRC, r.src.address));
  if (r.dst) a.push(attr(FRA_DST, r.dst.address));
  if (r.iif !== undefined) a.push(attrCString(FRA_IIFNAME, r.iif));
  if (r.oif !== undefined) a.push(attrCString(FRA_OIFNAME, r.oif));
  if (r.fwmark !== undefined) a.push(attrU32(FRA_FWMARK, r.fwmark));
  if (r.fwmask !== undefined) a.push(attrU32(FRA_FWMASK, r.fwmask));
  a.push(...tableAttrs(FRA_TABLE, r.table));
  if (r.priority !== undefined) a.push(attrU32(FRA_PRIORITY, r.priority));
  if (r.goto !== undefined) a.push(attrU32(FRA_GOTO, r.goto));
  return a;
}

export function newRuleRequest(r: ResolvedRule): RtnlRequest {
  return createRequest(RTM_NEWRULE, body(fibRuleHdr(r, r.action ?? FR_ACT_TO_TBL), attrs(r)));
}

/** Action 0 matches any action, as `ip rule del` sends it. */
export function delRuleRequest(r: ResolvedRule): RtnlRequest {
  return plainRequest(RTM_DELRULE, body(fibRuleHdr(r, 0), attrs(r)));
}
