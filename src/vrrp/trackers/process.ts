// vrrp_track_process by reading /proc: one scan serves every tracked process. keepalived
// listens to the kernel's process connector; lvsd polls (default every 500 ms) and caches what
// it read per PID, re-reading only young PIDs (a fork is followed by an exec that changes the
// name and command line) and matched ones (to see them turn zombie or rename).
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { matches, parseStat, type ProcInfo, type ProcessMatch } from './process-match.js';
import { ProcessQuorum, type QuorumParams } from './process-quorum.js';

export interface ProcessTrackSpec {
  name: string;
  match: ProcessMatch;
  quorum: QuorumParams;
}

export interface ProcessScannerOptions {
  intervalMs?: number;
  /** For tests: another /proc. */
  procRoot?: string;
  now?: () => number;
}

interface Seen extends ProcInfo {
  scans: number;
  matched: boolean;
}

/** PIDs are re-read during their first scans: exec usually follows fork within milliseconds. */
const YOUNG_SCANS = 3;

export class ProcessScanner extends EventEmitter {
  private readonly quorums = new Map<string, ProcessQuorum>();
  private readonly cache = new Map<number, Seen>();
  private readonly root: string;
  private readonly needCmdline: boolean;
  private readonly now: () => number;
  private interval: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  scans = 0;

  constructor(private readonly specs: ProcessTrackSpec[], private readonly o: ProcessScannerOptions = {}) {
    super();
    this.root = o.procRoot ?? '/proc';
    this.needCmdline = specs.some((s) => s.match.fullCommand);
    this.now = o.now ?? (() => performance.now());
  }

  /** First scan at once (the initial status needs no delay), then one every interval. */
  start(): void {
    const counts = this.scan();
    for (const s of this.specs) this.quorums.set(s.name, new ProcessQuorum(s.quorum, counts.get(s.name) ?? 0));
    this.interval = setInterval(() => this.poll(), this.o.intervalMs ?? 500);
  }

  up(name: string): boolean {
    return this.quorums.get(name)?.up ?? false;
  }

  count(name: string): number {
    let n = 0;
    const spec = this.specs.find((s) => s.name === name);
    if (spec) for (const p of this.cache.values()) if (matches(spec.match, p)) n++;
    return n;
  }

  stop(): void {
    if (this.interval) clearInterval(this.interval);
    if (this.timer) clearTimeout(this.timer);
    this.interval = undefined;
    this.timer = undefined;
  }

  private poll(): void {
    const counts = this.scan();
    const now = this.now();
    for (const s of this.specs) {
      const q = this.quorums.get(s.name);
      if (q && q.observe(counts.get(s.name) ?? 0, now)) this.emit('change', s.name, q.up);
    }
    this.armDelays();
  }

  /** A pending fork/terminate delay is decided on time, not at the next scan. */
  private armDelays(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let at: number | null = null;
    for (const q of this.quorums.values()) if (q.pendingAt !== null && (at === null || q.pendingAt < at)) at = q.pendingAt;
    if (at === null) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = Math.max(this.now(), at as number);
      for (const s of this.specs) {
        const q = this.quorums.get(s.name);
        if (q && q.due(now)) this.emit('change', s.name, q.up);
      }
      this.armDelays();
    }, Math.max(0, at - this.now()));
  }

  /** Matching processes per tracked name, from /proc. */
  private scan(): Map<string, number> {
    this.scans++;
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      names = [];
    }
    const alive = new Set<number>();
    for (const n of names) {
      const c = n.charCodeAt(0);
      if (c < 49 || c > 57) continue; // PIDs start with 1-9
      const pid = Number(n);
      alive.add(pid);
      const old = this.cache.get(pid);
      if (old && old.scans >= YOUNG_SCANS && !old.matched) continue;
      const info = this.read(pid, old);
      if (info) this.cache.set(pid, info);
      else this.cache.delete(pid);
    }
    for (const pid of this.cache.keys()) if (!alive.has(pid)) this.cache.delete(pid);
    const counts = new Map<string, number>();
    for (const p of this.cache.values()) {
      p.matched = false;
      for (const s of this.specs) {
        if (!matches(s.match, p)) continue;
        p.matched = true;
        counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
      }
    }
    return counts;
  }

  private read(pid: number, old: Seen | undefined): Seen | null {
    const dir = join(this.root, String(pid));
    try {
      const st = parseStat(readFileSync(join(dir, 'stat'), 'latin1'));
      if (!st) return null;
      const info: Seen = { comm: st.comm, zombie: st.state === 'Z', scans: (old?.scans ?? 0) + 1, matched: old?.matched ?? false };
      if (this.needCmdline) info.cmdline = old && old.scans >= YOUNG_SCANS && old.cmdline ? old.cmdline : readFileSync(join(dir, 'cmdline'));
      return info;
    } catch {
      return null; // gone between readdir and read
    }
  }
}
