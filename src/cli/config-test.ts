// `lvsd -t`: the config test on its own, so the bin can run it from a small CommonJS bundle
// compiled with a V8 code cache (src/cli/lvsd-bin.ts) without loading the daemon's code.
import { writeFileSync } from 'node:fs';
import { parseArgs, ArgError, type Options } from '../daemon/args.js';
import { loadConfig } from '../config/load.js';
import { formatDiagnostic } from '../../grammar/diagnostics.js';
import { systemView } from '../config/system.js';

/** process.stdout / process.stderr as far as this module writes to them. */
type Out = NodeJS.WriteStream;
/** the streams written to: a pipe may still hold part of the output (see outputPending) */
const used = new Set<Out>();

/**
 * Writes `text` to process[name] (nothing for ''). An unused stream is never opened: the first
 * look at process.stdout or process.stderr loads Node's stream modules, and a pipe's costs ms.
 */
function emit(name: 'stdout' | 'stderr', text: string): void {
  if (text.length === 0) return;
  const stream = process[name];
  stream.write(text);
  used.add(stream);
}

/** Output still queued for a stdout or stderr pipe: the process must not exit before it drains. */
export function outputPending(): boolean {
  for (const s of used) if (s.writableLength > 0) return true;
  return false;
}

/** Loads the config, reports its diagnostics (to the -t FILE log, else stderr) and with -d prints the model. */
export function loadAndReport(o: Options): ReturnType<typeof loadConfig> {
  const r = loadConfig(o.useFile, { configId: o.configId, allConfig: o.allConfig, system: systemView() });
  const text = r.diagnostics.map((d) => formatDiagnostic(d) + '\n').join('');
  if (o.configTest && o.configTestLog) writeFileSync(o.configTestLog, text);
  else emit('stderr', text);
  if (o.dumpConf) emit('stdout', JSON.stringify(r.model, null, 2) + '\n');
  return r;
}

/** keepalived -t: returns the exit code of the config test. */
export function runConfigTest(o: Options): number {
  return loadAndReport(o).exitCode;
}

/**
 * The exit code of the config test when `argv` asks for exactly that, else undefined: then the
 * full command line (src/cli/lvsd.ts) runs, and reports any argument error itself. The options
 * lvsd.ts answers before the config test (help, version, signum, snmp) are left to it.
 */
export function tryConfigTest(argv: readonly string[]): number | undefined {
  if (argv[0] === 'status' || argv[0] === 'ipvs') return undefined;
  let o: Options;
  try {
    o = parseArgs(argv);
  } catch (e) {
    if (e instanceof ArgError) return undefined;
    throw e;
  }
  if (!o.configTest || o.help || o.version || o.signum !== undefined || o.snmp || o.snmpAgentSocket) return undefined;
  return runConfigTest(o);
}
