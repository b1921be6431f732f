#!/usr/bin/env node
// Bundles the lvsd command line into dist/bundle/ with esbuild: one file for `lvsd -t`, so the
// config test pays for one module load instead of ~60 (about 15 ms of a 10,000-server run).
// The daemon and `lvsd ipvs` stay in chunks loaded only when used. Packages (netlink,
// raw-socket, undici, pino) stay external: their native parts load from node_modules as before,
// and build/Release/lvsd_packet.node is found by walking up from the bundle as from dist/src.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { lvsd: 'src/cli/lvsd.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
