// Where lvsd's own N-API addons are found and how they load: node-gyp puts them in
// build/Release/ under the package root, which sits a few folders above src/..., dist/src/...
// or a bundle. An environment variable can point at another build.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Path of build/Release/`file`, searched upwards from `from` (or `override` when set). */
export function findAddonFile(file: string, override: string | undefined, from = HERE): string {
  if (override) return override;
  const rel = join('build', 'Release', file);
  let dir = from;
  for (let up = 0; up < 8; up++) {
    const candidate = join(dir, rel);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`${rel} not found above ${from}: build it with node-gyp rebuild (npm install does)`);
}

/** Loads an addon found by findAddonFile. */
export function requireAddon<T>(path: string): T {
  return createRequire(import.meta.url)(path) as T;
}

export interface AddonLoader<T> {
  /** build/Release/<file> above `from` (the environment variable overrides) */
  find(from?: string): string;
  /** The addon, loaded on the first call. */
  load(): T;
}

/** One addon's finder and loader; `envVar` may point at another build of `file`. */
export function addonLoader<T>(file: string, envVar: string): AddonLoader<T> {
  let addon: T | undefined;
  const find = (from?: string): string => findAddonFile(file, process.env[envVar], from);
  return { find, load: () => (addon ??= requireAddon<T>(find())) };
}
