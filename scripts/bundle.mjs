#!/usr/bin/env node
// Bundles the lvsd command line into dist/bundle/ with esbuild:
// - main.js (+ chunks/): the whole command line as ES modules; the daemon, `lvsd ipvs` and
//   `lvsd status` stay in chunks loaded only when used.
// - config-test-HASH.cjs: `lvsd -t` alone (src/cli/config-test.ts) as one CommonJS file, with
//   a V8 code cache (.cache) made here by checking a few sample configs, so a config test
//   neither compiles the code nor runs the ES module loader (about 12 ms of each run).
// - lvsd.cjs: the bin (src/cli/lvsd-bin.ts); it picks one of the two.
// Packages (netlink, raw-socket, undici, pino) stay external: their native parts load from
// node_modules as before, and build/Release/lvsd_packet.node is found by walking up from here.
import { build } from 'esbuild';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { execFileSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');
const common = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' };
rmSync(outdir, { recursive: true, force: true });

await build({ ...common, entryPoints: { main: 'src/cli/lvsd.ts' }, outdir, splitting: true, format: 'esm', chunkNames: 'chunks/[name]-[hash]' });

const ct = await build({ ...common, entryPoints: ['src/cli/config-test.ts'], format: 'cjs', write: false, outfile: 'config-test.cjs' });
const ctSource = ct.outputFiles[0].text;
const ctName = `config-test-${createHash('sha256').update(ctSource).digest('hex').slice(0, 12)}.cjs`;
const ctFile = join(outdir, ctName);
writeFileSync(ctFile, ctSource);

await build({
  ...common,
  entryPoints: ['src/cli/lvsd-bin.ts'],
  outfile: join(outdir, 'lvsd.cjs'),
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node' },
  define: { LVSD_CONFIG_TEST_BUNDLE: JSON.stringify(ctName) },
});
chmodSync(join(outdir, 'lvsd.cjs'), 0o755);

// The code cache: compile the config-test bundle exactly as lvsd-bin.ts does, run it over
// sample configs so the functions a check needs are compiled, and keep what V8 compiled.
const script = new Script(Module.wrap(ctSource), { filename: ctFile });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(ctFile), mod, ctFile, outdir);
const samples = mkdtempSync(join(tmpdir(), 'lvsd-bundle-'));
try {
  const gen = join(root, 'bench', 'gen-config.mjs');
  execFileSync(process.execPath, [gen, '300', join(samples, 'http.conf'), 'lo', 'http']);
  execFileSync(process.execPath, [gen, '300', join(samples, 'tcp.conf'), 'lo', 'tcp']);
  const confs = [join(samples, 'http.conf'), join(samples, 'tcp.conf'),
    ...readdirSync(join(root, 'conf')).filter((f) => f.endsWith('.conf')).map((f) => join(root, 'conf', f))];
  for (const f of confs) mod.exports.tryConfigTest(['-f', f, `--config-test=${join(samples, 'log')}`]);
} finally {
  rmSync(samples, { recursive: true, force: true });
}
writeFileSync(ctFile + '.cache', script.createCachedData());
if (!readFileSync(ctFile + '.cache').length) throw new Error('empty code cache');
