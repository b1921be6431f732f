#!/usr/bin/env node
// lvsd entry point: keepalived's command line, plus `lvsd ipvs ...`.
// Only what `-t` needs is imported up front: config checking must start fast.
import { parseArgs, ArgError, USAGE } from '../daemon/args.js';
import { loadAndReport, runConfigTest } from './config-test.js';
import { VERSION } from '../daemon/version.js';

export { VERSION };

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'status') {
    const { runStatus } = await import('./status.js');
    return runStatus(argv.slice(1));
  }
  if (argv[0] === 'ipvs') {
    // Loaded only for this subcommand, so `-t` never pays for it.
    const { runIpvsCommand } = await import('../ipvs/cli.js');
    return runIpvsCommand(argv.slice(1), process.stdout);
  }
  let o;
  try {
    o = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof ArgError)) throw e;
    process.stderr.write(`lvsd: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (o.help) { process.stdout.write(USAGE); return 0; }
  if (o.version) { process.stdout.write(`lvsd v${VERSION} (keepalived 2.2.7 configuration compatible)\n`); return 0; }
  if (o.signum !== undefined) {
    // keepalived --signum=NAME: the number to send (JSON maps to lvsd's own choice, see dumps.ts)
    const { signumFor } = await import('../daemon/dumps.js');
    const name = o.signum.toUpperCase();
    if (!['STOP', 'RELOAD', 'DATA', 'STATS', 'JSON'].includes(name)) {
      process.stderr.write(`lvsd: unknown signal function ${o.signum}\n`);
      return 2;
    }
    process.stdout.write(`${signumFor(name as 'STOP' | 'RELOAD' | 'DATA' | 'STATS' | 'JSON')}\n`);
    return 0;
  }
  if (o.snmp || o.snmpAgentSocket) {
    process.stderr.write('lvsd: SNMP (-x/--snmp) is not supported; use the Prometheus metrics endpoint instead\n');
    return 2;
  }

  if (o.configTest) return runConfigTest(o);
  if (o.dumpConf) {
    const r = loadAndReport(o);
    if (!r.ok) return r.exitCode;
  }
  const { runDaemon } = await import('../daemon/run.js');
  // The daemon's edges (timers, sockets) may keep the loop alive: its end is the process's end.
  process.exit(await runDaemon(o));
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`lvsd: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
