// SIGHUP reload: read the file again; a file with errors is refused and the running model
// stays; a good one becomes current, with the difference the subsystems must apply.
import { loadConfig, type LoadOptions, type LoadResult, type LoadStep } from '../config/load.js';
import { diffModels, type ModelDiff } from '../config/diff.js';
import type { Model } from '../config/model.js';
import type { Diagnostic } from '../../grammar/diagnostics.js';
import type { BlockCache } from '../../grammar/reuse.js';

export interface ReloadOutcome {
  applied: boolean;
  diagnostics: Diagnostic[];
  /** what changed (only when applied) */
  diff?: ModelDiff;
  /** time to read, check and diff the new file */
  ms: number;
  /** parses of the file it took: 2 when the checks complained and it was read again with positions */
  passes: number;
}

export type Differ = (before: Model, after: Model) => ModelDiff;

/**
 * The difference VRRP needs (instances, sync groups, everything outside virtual servers). The
 * virtual-server part is left empty: the LVS engine matches virtual and real servers itself,
 * and a 10,000-server comparison here would only double that work.
 */
export function diffWithoutVirtualServers(before: Model, after: Model): ModelDiff {
  return diffModels({ ...before, virtual_server: [] }, { ...after, virtual_server: [] });
}

export class ConfigHolder {
  private model: Model;
  /** what the next load may reuse of the running model's load (unchanged real servers, see config/load.ts) */
  private blocks: BlockCache | undefined;

  constructor(
    private readonly file: string,
    private readonly opts: LoadOptions,
    initial: LoadResult,
    private readonly load: (file: string, opts: LoadOptions) => LoadResult = loadConfig,
    private readonly differ: Differ = diffModels,
  ) {
    this.model = initial.model;
    this.blocks = initial.blocks;
  }

  get current(): Model {
    return this.model;
  }

  /**
   * A dry run of the next reload on the file as it is now, against the running model: read with
   * reuse, checked and diffed like a reload, then dropped (nothing is applied, the running model
   * and its blocks stay). The daemon runs it once while idle after start: a reload's first run of
   * this code otherwise pays for compiling it and for running it unoptimised (under the test VM's
   * emulation, hundreds of ms at 10,000 real servers). Returns the file's `ok`.
   */
  rehearse(): boolean {
    const r = this.load(this.file, { ...this.opts, reuse: this.blocks, keepBlocks: true });
    if (r.ok) this.differ(this.model, r.model);
    return r.ok;
  }

  /** `mark` is called as each step ends (the load's steps, then 'diff'): reload.applied's timings */
  reload(mark?: (step: LoadStep | 'diff') => void): ReloadOutcome {
    const t0 = performance.now();
    const r = this.load(this.file, { ...this.opts, reuse: this.blocks, keepBlocks: true, ...(mark ? { mark } : {}) });
    if (!r.ok) return { applied: false, diagnostics: r.diagnostics, ms: performance.now() - t0, passes: r.passes };
    const diff = this.differ(this.model, r.model);
    mark?.('diff');
    this.model = r.model;
    this.blocks = r.blocks;
    return { applied: true, diagnostics: r.diagnostics, diff, ms: performance.now() - t0, passes: r.passes };
  }
}
