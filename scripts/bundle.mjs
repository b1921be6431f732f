#!/usr/bin/env node
// Bundles the lvsd command line into dist/bundle/ with esbuild:
// - main.js (+ chunks/): the whole command line as ES modules; the daemon, `lvsd ipvs` and
//   `lvsd status` stay in chunks loaded only when used.
// - config-test-HASH.cjs: `lvsd -t` alone (src/cli/config-test.ts) as one CommonJS file, with
//   a V8 code cache (.cache) made here by checking a few sample configs, so a config test
//   neither compiles the code nor runs the ES module loader (about 12 ms of each run); and
//   .semi.cache, the same under the V8 flag bin/lvsd gives a config test.
// - ipvs-HASH.cjs: `lvsd ipvs ...` (src/ipvs/cli.ts) the same way, its code cache made by
//   listing, saving and restoring a small table through a stand-in kernel.
// - lvsd.cjs: the bin (src/cli/lvsd-bin.ts); it picks one of them.
// `--outdir DIR` writes the bundle elsewhere (bench/ipvs.sh builds one inside the test VM).
// Packages (netlink's raw.js, raw-socket, undici) stay external: their native parts load from
// node_modules as before, and build/Release/lvsd_packet.node is found by walking up from here;
// pino and netlink's JavaScript are bundled into the ES module chunks (below).
import { build } from 'esbuild';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { execFileSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `lvsd -t` through bin/lvsd runs node with this V8 flag (a young generation that holds a
// 10,000-server config: no scavenge copies the model), and V8 accepts a code cache only under
// the flags it was made with: the config-test bundle gets a second cache, .semi.cache, made
// by a child node under the flag (`--config-test-cache=FILE`). Same string in bin/lvsd and
// src/cli/lvsd-bin.ts.
const CONFIG_TEST_V8_FLAG = '--min-semi-space-size=16';
const cacheArg = process.argv.find((a) => a.startsWith('--config-test-cache='));
if (cacheArg) {
  configTestCache(cacheArg.slice('--config-test-cache='.length), '.semi.cache');
  process.exit(0);
}
const outArg = process.argv.find((a) => a.startsWith('--outdir='));
const outdir = outArg ? resolve(outArg.slice('--outdir='.length)) : join(root, 'dist', 'bundle');
const common = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' };
rmSync(outdir, { recursive: true, force: true });

// pino and the packages it loads are bundled into the ES module chunks (pure JavaScript, no
// native part): the daemon then starts without resolving, reading and lexing their ~30 files
// from node_modules one by one (seconds in the test VM, whose root is 9p). Their require()s of
// node builtins go through a require made in each chunk (the banner).
const inlined = new Set(['pino', 'atomic-sleep', 'fast-redact', 'on-exit-leak-free', 'pino-abstract-transport', 'split2',
  'pino-std-serializers', 'process-warning', 'quick-format-unescaped', 'real-require', 'safe-stable-stringify', 'sonic-boom', 'thread-stream']);
// netlink's JavaScript too (its rtnetlink and nl80211 tables are ~1.4 MB in 20 files), but not
// raw.js, which finds the native part from its own directory.
inlined.add('netlink');
const RAW = 'netlink/dist/raw.js';
const pkgOf = (spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
const inlinePino = {
  name: 'inline-pino',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (a) => (a.path !== RAW && inlined.has(pkgOf(a.path)) ? undefined : { path: a.path, external: true }));
    b.onResolve({ filter: /^\.\/raw$/ }, (a) => (/node_modules[\\/]netlink[\\/]dist$/.test(a.resolveDir) ? { path: RAW, external: true } : undefined));
  },
};
await build({
  ...common, packages: undefined, plugins: [inlinePino], entryPoints: { main: 'src/cli/lvsd.ts' }, outdir, splitting: true, format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: 'import { createRequire as __lvsdCreateRequire } from "node:module"; const require = __lvsdCreateRequire(import.meta.url);' },
});

const ct = await build({ ...common, entryPoints: ['src/cli/config-test.ts'], format: 'cjs', write: false, outfile: 'config-test.cjs' });
const ctSource = ct.outputFiles[0].text;
const ctName = `config-test-${createHash('sha256').update(ctSource).digest('hex').slice(0, 12)}.cjs`;
const ctFile = join(outdir, ctName);
writeFileSync(ctFile, ctSource);

// netlink's raw.js is bundled into the ipvs bundle with its binding loader replaced: node-gyp-build
// resolves the native file by listing build/ and prebuilds/ and parsing tags, ~60 ms of each
// `lvsd ipvs` run in the test VM. Here the file it resolves now is kept (relative to the bundle)
// and loaded directly when nothing that steers node-gyp-build is set and netlink has no local
// build/ (which node-gyp-build would take first); anything else asks node-gyp-build at run time.
const requireHere = createRequire(join(root, 'package.json'));
const netlinkDir = dirname(requireHere.resolve('netlink/package.json'));
const netlinkBinding = requireHere('node-gyp-build').resolve(netlinkDir);
const bindingLoader = `const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');
const dir = join(__dirname, ${JSON.stringify(relative(outdir, netlinkDir))});
const steered = ['NETLINK_PREBUILD', 'PREBUILDS_ONLY', 'npm_config_arch', 'npm_config_platform', 'LIBC', 'ARM_VERSION'].some((v) => process.env[v] !== undefined);
module.exports = function loadBinding() {
  if (!steered && !existsSync(join(dir, 'build'))) {
    try { return require(join(dir, ${JSON.stringify(relative(netlinkDir, netlinkBinding))})); } catch {}
  }
  // as raw.js would: node-gyp-build found from netlink's own folder
  const netlink = existsSync(join(dir, 'package.json')) ? dir : dirname(require.resolve('netlink/package.json'));
  return require('node:module').createRequire(join(netlink, 'package.json'))('node-gyp-build')(netlink);
};`;
const ipvsBinding = {
  name: 'netlink-binding',
  setup(b) {
    b.onResolve({ filter: /^netlink\/dist\/raw\.js$/ }, () => ({ path: join(netlinkDir, 'dist', 'raw.js') }));
    b.onResolve({ filter: /^node-gyp-build$/ }, (a) => (a.importer === join(netlinkDir, 'dist', 'raw.js') ? { path: 'binding', namespace: 'lvsd-netlink' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lvsd-netlink' }, () => ({ contents: bindingLoader, loader: 'js', resolveDir: root }));
  },
};
const ipvs = await build({ ...common, plugins: [ipvsBinding], entryPoints: ['src/ipvs/cli.ts'], format: 'cjs', write: false, outfile: 'ipvs.cjs' });
const ipvsSource = ipvs.outputFiles[0].text;
const ipvsName = `ipvs-${createHash('sha256').update(ipvsSource).digest('hex').slice(0, 12)}.cjs`;
writeFileSync(join(outdir, ipvsName), ipvsSource);

await build({
  ...common,
  entryPoints: ['src/cli/lvsd-bin.ts'],
  outfile: join(outdir, 'lvsd.cjs'),
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node' },
  define: { LVSD_CONFIG_TEST_BUNDLE: JSON.stringify(ctName), LVSD_IPVS_BUNDLE: JSON.stringify(ipvsName), LVSD_CONFIG_TEST_V8_FLAG: JSON.stringify(CONFIG_TEST_V8_FLAG) },
});
chmodSync(join(outdir, 'lvsd.cjs'), 0o755);

configTestCache(ctFile, '.cache');
execFileSync(process.execPath, [CONFIG_TEST_V8_FLAG, fileURLToPath(import.meta.url), `--config-test-cache=${ctFile}`], { stdio: 'inherit' });

// The code cache: compile the config-test bundle exactly as lvsd-bin.ts does, run it over
// sample configs so the functions a check needs are compiled, and keep what V8 compiled.
function configTestCache(ctFile, suffix) {
  const script = new Script(Module.wrap(readFileSync(ctFile, 'utf8')), { filename: ctFile });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(ctFile), mod, ctFile, dirname(ctFile));
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
  writeFileSync(ctFile + suffix, script.createCachedData());
  if (!readFileSync(ctFile + suffix).length) throw new Error('empty code cache');
}

// The ipvs bundle's code cache: list, save and restore a small table through a stand-in
// kernel (there is no IPVS here), so the parsing, decoding and formatting code is compiled.
{
  const file = join(outdir, ipvsName);
  const script = new Script(Module.wrap(ipvsSource), { filename: file });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, outdir);
  const attr = (type, payload) => {
    const b = Buffer.alloc((4 + payload.length + 3) & ~3);
    b.writeUInt16LE(4 + payload.length, 0);
    b.writeUInt16LE(type, 2);
    payload.copy(b, 4);
    return b;
  };
  const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
  // destination nests as the kernel sends them: family, address, port, method, weight, connections
  const nests = Array.from({ length: 64 }, (_, i) => Buffer.concat([attr(11, Buffer.from([2, 0])),
    attr(1, Buffer.from([10, 1, i >> 8, i & 255, ...Array(12).fill(0)])), attr(2, Buffer.from([0x1f, 0x90])), attr(3, u32(i % 3 ? 0 : 3)),
    attr(4, u32(i % 5)), attr(7, u32(i)), attr(8, u32(0))]));
  const zero = { conns: 0n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n };
  const services = [80, 443].map((port) => ({ af: 2, protocol: 6, addr: '10.0.0.1', port, fwmark: 0, sched: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff, stats: zero, stats64: true }));
  const dests = nests.map((_, i) => ({ af: 2, addr: `10.1.0.${i}`, port: 8080, fwd: 'masq', weight: 1, uThreshold: 0, lThreshold: 0, tunType: 'ipip', tunPort: 0, tunFlags: 'nocsum', activeConns: 0, inactConns: 0, persistConns: 0, stats: zero, stats64: true }));
  const none = async () => undefined;
  const kernel = {
    info: async () => ({ version: 0x010201, connTabSize: 4096 }), services: async () => services,
    table: async () => services.map((service) => ({ service, dests })),
    eachDestNest: async (s, fn) => { for (const n of nests) fn(n, 0, n.length); },
    addService: none, addDest: none, editDest: none, flush: none, close: () => undefined,
  };
  const sink = { write: () => true };
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-bundle-'));
  try {
    const rules = join(dir, 'rules');
    writeFileSync(rules, ['-A -t 10.0.0.1:80 -s wlc', ...dests.map((d) => `-a -t 10.0.0.1:80 -r ${d.addr}:8080 -m -w 1`)].join('\n') + '\n');
    for (const argv of [['list', '-n'], ['save', '-n'], ['restore', rules], ['list', '-n']]) {
      if (await mod.exports.runIpvsCommand(argv, sink, kernel) !== 0) throw new Error(`ipvs code cache: ${argv.join(' ')} failed`);
    }
    // The real client too (sockets, framing, the controller's answer): a read-only command over
    // netlink, which without ip_vs here ends at the family lookup. Its outcome does not matter.
    const write = process.stderr.write;
    process.stderr.write = () => true;
    try {
      await mod.exports.runIpvsCommand(['list', '--timeout'], sink);
    } finally {
      process.stderr.write = write;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  writeFileSync(file + '.cache', script.createCachedData());
}
