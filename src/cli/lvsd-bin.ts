// The `lvsd` bin (bundled as CommonJS by scripts/bundle.mjs). A config test (`-t`) runs from
// the config-test bundle, compiled with the V8 code cache made at build time: about 12 ms less
// than loading the ES module bundle of the whole command line. `lvsd ipvs ...` runs from its
// own bundle the same way (no grammar, no ES module loader). Anything else — and a config
// test when that bundle is missing — loads the full command line (src/cli/lvsd.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import Module, { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** Set by scripts/bundle.mjs: file name of the config-test bundle (its content hash is in it). */
declare const LVSD_CONFIG_TEST_BUNDLE: string;
/** Set by scripts/bundle.mjs: file name of the `lvsd ipvs` bundle. */
declare const LVSD_IPVS_BUNDLE: string;
/**
 * Set by scripts/bundle.mjs: the V8 flag bin/lvsd gives node for a config test. V8 takes a
 * code cache only under the flags it was made with: under this one the config-test bundle's
 * is FILE.semi.cache.
 */
declare const LVSD_CONFIG_TEST_V8_FLAG: string;

interface IpvsModule {
  /** writes to fd 1 itself (no process.stdout stream) */
  runIpvsCommand(argv: string[]): Promise<number>;
}

interface ConfigTestModule {
  tryConfigTest(argv: readonly string[]): number | undefined;
  outputPending(): boolean;
}

/** `-t` somewhere in the arguments (alone, bundled with other short options, or --config-test). */
function mayBeConfigTest(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') break;
    if (a.startsWith('--config-test')) return true;
    if (a.length > 1 && a[0] === '-' && a[1] !== '-' && a.includes('t')) return true;
  }
  return false;
}

/**
 * Loads a CommonJS bundle with its code cache (a rejected or missing cache only costs time;
 * LVSD_CODE_CACHE_REPORT=1 says on stderr which it was).
 */
function loadBundle<T extends object>(dir: string, name: string, cacheSuffix = '.cache'): T | undefined {
  const file = join(dir, name);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(file + cacheSuffix);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  if (process.env.LVSD_CODE_CACHE_REPORT === '1') {
    const state = cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted';
    process.stderr.write(`lvsd: code cache ${state}: ${name}${cacheSuffix}\n`);
  }
  const mod = { exports: {} as T };
  const fn = script.runInThisContext() as (e: object, r: NodeRequire, m: object, f: string, d: string) => void;
  fn(mod.exports, createRequire(file), mod, file, dir);
  return mod.exports;
}

const argv = process.argv.slice(2);
let code: number | undefined;
let configTest: ConfigTestModule | undefined;
try {
  const suffix = process.execArgv.includes(LVSD_CONFIG_TEST_V8_FLAG) ? '.semi.cache' : '.cache';
  configTest = mayBeConfigTest(argv) ? loadBundle<ConfigTestModule>(__dirname, LVSD_CONFIG_TEST_BUNDLE, suffix) : undefined;
  code = configTest?.tryConfigTest(argv);
} catch (e) {
  // as src/cli/lvsd.ts reports a failure
  process.stderr.write(`lvsd: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  code = 1;
}
// A config test ends with process.exit when its output is out: a natural exit first waits for
// every queued V8 background task (optimising compiles of the parser, a few ms after a config
// test). Output still queued for a pipe (a long -d dump to a slow reader) needs the natural exit.
const ipvs = code === undefined && argv[0] === 'ipvs' ? loadIpvs() : undefined;
// `lvsd ipvs` ends with process.exit too: its output is written, its sockets closed.
if (ipvs) ipvs.runIpvsCommand(argv.slice(1)).then((c) => process.exit(c), fail);
else if (code !== undefined) {
  if (configTest?.outputPending()) process.exitCode = code;
  else process.exit(code);
}
else void import(pathToFileURL(join(__dirname, 'main.js')).href);

function loadIpvs(): IpvsModule | undefined {
  try {
    return loadBundle<IpvsModule>(__dirname, LVSD_IPVS_BUNDLE);
  } catch (e) {
    fail(e);
  }
}

function fail(e: unknown): never {
  process.stderr.write(`lvsd: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
}
