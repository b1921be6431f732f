// Runs inside the checker's namespace: one probe attempt per stdin line (JSON {kind, spec,
// step}), one JSON result line out.
import { createInterface } from 'node:readline';
import { dnsCheckOnce, type DnsSpec } from '../../../src/check/dns.js';
import { httpGetOnce, type HttpGetSpec } from '../../../src/check/http-get.js';
import { pingOnce } from '../../../src/check/ping.js';
import { smtpCheckOnce, type SmtpSpec } from '../../../src/check/smtp.js';
import { tcpConnect } from '../../../src/check/tcp.js';
import type { CheckResult, ConnectTarget } from '../../../src/check/types.js';
import { udpCheckOnce, type UdpSpec } from '../../../src/check/udp.js';

type Req =
  | { kind: 'tcp'; spec: ConnectTarget }
  | { kind: 'http'; spec: HttpGetSpec; step?: number }
  | { kind: 'dns'; spec: DnsSpec }
  | { kind: 'udp'; spec: UdpSpec }
  | { kind: 'smtp'; spec: SmtpSpec }
  | { kind: 'ping'; spec: ConnectTarget };

async function one(r: Req): Promise<CheckResult> {
  const signal = new AbortController().signal;
  switch (r.kind) {
    case 'tcp':
      return tcpConnect(r.spec, signal);
    case 'http':
      return httpGetOnce(r.spec, r.step ?? 0, signal);
    case 'dns':
      return dnsCheckOnce(r.spec, signal);
    case 'udp':
      return udpCheckOnce(r.spec, signal);
    case 'smtp':
      return smtpCheckOnce(r.spec, signal);
    case 'ping':
      return pingOnce(r.spec, signal);
  }
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const t0 = performance.now();
  one(JSON.parse(line) as Req).then(
    (res) => process.stdout.write(`${JSON.stringify({ ...res, ms: Math.round(performance.now() - t0) })}\n`),
    (e: unknown) => process.stdout.write(`${JSON.stringify({ ok: false, reason: `driver error ${String(e)}` })}\n`),
  );
});
