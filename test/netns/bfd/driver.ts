// Runs lvsd's BFD runtime inside a namespace for the interop tests: argv[2] is a JSON list of
// BfdInstanceSpec. Prints one JSON line per event (with Date.now()); SIGTERM stops with
// AdminDown, SIGUSR2 prints the status.
import { BfdRuntime } from '../../../src/bfd/runtime.js';
import type { BfdInstanceSpec } from '../../../src/bfd/from-model.js';

const specs = JSON.parse(process.argv[2] ?? '[]') as BfdInstanceSpec[];
const out = (o: object): void => { process.stdout.write(`${JSON.stringify({ ...o, at: Date.now() })}\n`); };
const rt = await BfdRuntime.start(specs, {
  log: { info: (o) => out({ ev: 'log', ...o }), warn: (o) => out({ ev: 'warn', ...o }) },
});
rt.on('up', (c) => out({ ev: 'up', ...c }));
rt.on('down', (c) => out({ ev: 'down', ...c }));
process.on('SIGUSR2', () => out({ ev: 'status', status: rt.status(), drops: rt.drops.counts }));
process.on('SIGTERM', () => {
  void rt.stop().then(() => {
    out({ ev: 'stopped', drops: rt.drops.counts });
    process.exit(0);
  });
});
out({ ev: 'started' });
