// Builds dist/ once before any test file runs: several suites run the built CLI, and a build
// per file would rewrite dist/ under the feet of the others. Inside the VM the host's build
// (seen through the overlay) is used as it is.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function setup(): void {
  if (process.env.LVSD_IN_VM || process.env.LVSD_BUILT) return;
  const root = resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  process.env.LVSD_BUILT = '1';
}
