// DNS_CHECK: one query over UDP; an answer with our id, QR set and RCODE 0 within
// connect_timeout is success. Answers that are not ours are ignored, as keepalived does.
import { randomInt } from 'node:crypto';
import { encodeQuery, judgeAnswer } from './dns-packet.js';
import { udpExchange } from './udp.js';
import type { CheckResult, ConnectTarget, Probe } from './types.js';

export interface DnsSpec {
  target: ConnectTarget;
  type: string;
  name: string;
}

export async function dnsCheckOnce(spec: DnsSpec, signal: AbortSignal): Promise<CheckResult> {
  const id = randomInt(0, 0x10000);
  const query = encodeQuery(id, spec.name, spec.type);
  const r = await udpExchange(spec.target, query, signal, (msg) => judgeAnswer(id, msg).kind !== 'ignore');
  if (r.kind === 'error') return { ok: false, reason: `failed to read socket (${r.reason})` };
  if (r.kind === 'timeout') return { ok: false, reason: 'read timeout from socket' };
  const v = judgeAnswer(id, r.msg);
  if (v.kind === 'error') return { ok: false, reason: `read error occurred. (rcode = ${v.rcode})` };
  return { ok: true, reason: 'answer' };
}

export class DnsProbe implements Probe {
  constructor(readonly spec: DnsSpec) {}
  run(_step: number, signal: AbortSignal): Promise<CheckResult> {
    return dnsCheckOnce(this.spec, signal);
  }
}
