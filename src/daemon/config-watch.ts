// Tells the daemon that what its config load read may have changed on disk (the config file, an
// include, a folder an include glob lists, a script the checks looked at), so that it prepares the
// next reload ahead of the SIGHUP (ConfigHolder.prepare). Only a hint: a reload reads every input
// again before it trusts a prepared load, so a missed or late event costs time, never correctness.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** folder -> the names in it that matter ('all': every entry, a listing was read) */
export type WatchSet = Map<string, Set<string> | 'all'>;

/** at most this many folders watched (inotify watches are a per-user resource) */
export const MAX_WATCHED_FOLDERS = 64;

/** The folders to watch for these paths: a path's own folder for its name, a listed folder for all. */
export function watchSet(paths: Iterable<{ path: string; listing: boolean }>): WatchSet {
  const out: WatchSet = new Map();
  for (const { path, listing } of paths) {
    if (listing) {
      out.set(path, 'all');
      continue;
    }
    const dir = dirname(path);
    const names = out.get(dir);
    if (names === undefined) out.set(dir, new Set([basename(path)]));
    else if (names !== 'all') names.add(basename(path));
  }
  return out;
}

export class ConfigWatch {
  private readonly watchers = new Map<string, { w: FSWatcher; names: Set<string> | 'all' }>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /**
   * @param onChange called once the events have been quiet for `settleMs` (an editor's save is
   * often several writes, or a write and a rename)
   */
  constructor(private readonly onChange: () => void, private readonly settleMs = 50) {}

  /** Watches these folders from now on (the ones no longer listed are let go). */
  set(folders: WatchSet): void {
    if (this.closed) return;
    const want = [...folders].slice(0, MAX_WATCHED_FOLDERS);
    const keep = new Set(want.map(([dir]) => dir));
    for (const [dir, w] of this.watchers) {
      if (!keep.has(dir)) {
        w.w.close();
        this.watchers.delete(dir);
      }
    }
    for (const [dir, names] of want) {
      const had = this.watchers.get(dir);
      if (had) {
        had.names = names;
        continue;
      }
      let w: FSWatcher;
      try {
        w = watch(dir, { persistent: false }, (_ev, name) => this.event(dir, name));
      } catch {
        continue; // a folder that is gone: its file's absence is what the reload reads again
      }
      w.on('error', () => {
        w.close();
        this.watchers.delete(dir);
      });
      this.watchers.set(dir, { w, names });
    }
  }

  private event(dir: string, name: string | Buffer | null): void {
    const names = this.watchers.get(dir)?.names;
    if (names === undefined) return;
    if (names !== 'all' && name !== null && !names.has(String(name))) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) this.onChange();
    }, this.settleMs);
    this.timer.unref();
  }

  /** folders watched now (status, tests) */
  get folders(): string[] {
    return [...this.watchers.keys()];
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.w.close();
    this.watchers.clear();
  }
}
