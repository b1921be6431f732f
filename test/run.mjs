#!/usr/bin/env node
// `npm test`: host suites (unit, netns) with vitest, then the kernel suite inside the
// qemu VM, then one summary line computed from the runners' JSON reports.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test-results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const only = process.argv.slice(2); // optional: subset of unit|netns|kernel
const want = (s) => only.length === 0 || only.includes(s);
const hostDirs = ['unit', 'netns'].filter(want).map((d) => `test/${d}`);

// Build once for every stage (the VM sees this dist/ through its overlay of the host root).
console.log('=== build: tsc -p tsconfig.json');
const build = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(1);
}
process.env.LVSD_BUILT = '1';

const stages = [];
// A runner that dies of a signal with no report (seen once: vitest's main process, SIGSEGV,
// inside the TCG VM; its rerun passed) tells nothing about the tests, so that stage runs once
// more, said on the log. A stage whose tests fail is never run again.
function run(name, cmd, args, report) {
  for (let attempt = 1; attempt <= 2; attempt++) {
    console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
    const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
    const status = r.status ?? (r.signal ? 128 + (constants.signals[r.signal] ?? 0) : 1);
    const died = status > 128;
    if (attempt === 1 && died && !existsSync(report)) {
      console.log(`stage ${name}: the runner died (exit ${status}) before writing its report; running the stage once more`);
      continue;
    }
    stages.push({ name, status, report });
    return;
  }
}

if (hostDirs.length) {
  const report = join(out, 'host.json');
  run('host', 'npx', ['vitest', 'run', '--config', 'test/vitest.config.ts',
    '--reporter=default', '--reporter=json', `--outputFile=${report}`, ...hostDirs], report);
}
const hasKernelTests = existsSync(join(root, 'test/kernel')) &&
  readdirSync(join(root, 'test/kernel')).some((f) => f.endsWith('.test.ts'));
if (want('kernel') && hasKernelTests) {
  const report = join(out, 'kernel.json');
  run('kernel', 'node', ['test/kernel/vm/run.mjs', `--report=${report}`], report);
}

let passed = 0, failed = 0, skipped = 0;
for (const s of stages) {
  if (!existsSync(s.report)) {
    console.error(`stage ${s.name}: no report (exit ${s.status}) - counted as one failure`);
    failed += 1;
    continue;
  }
  const j = JSON.parse(readFileSync(s.report, 'utf8'));
  passed += j.numPassedTests;
  failed += j.numFailedTests;
  skipped += j.numPendingTests + (j.numTodoTests ?? 0);
  // A file that fails to load has no tests but is a failure all the same.
  const brokenFiles = (j.testResults ?? []).filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  failed += brokenFiles;
  if (s.status !== 0 && j.numFailedTests === 0 && brokenFiles === 0) {
    console.error(`stage ${s.name}: runner exited ${s.status} with no failed test - counted as one failure`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
