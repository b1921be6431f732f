// SIGHUP reload: read the file again; a file with errors is refused and the running model
// stays; a good one becomes current, with the difference the subsystems must apply.
import { loadConfig, loadOptions, type LoadOptions, type LoadResult, type LoadStep } from '../config/load.js';
import { diffModels, type ModelDiff } from '../config/diff.js';
import type { Model } from '../config/model.js';
import type { Diagnostic } from '../../grammar/diagnostics.js';
import type { BlockCache } from '../../grammar/reuse.js';
import { firstFileRead, inputsUnchanged, readOnce, recordInputs, withFileBytes, type InputLog } from '../../grammar/observed-fs.js';
import { respaceRealServers } from '../config/rehearse-reload.js';

export interface ReloadOutcome {
  applied: boolean;
  diagnostics: Diagnostic[];
  /** what changed (only when applied) */
  diff?: ModelDiff;
  /** time to read, check and diff the new file (a prepared reload: to read its inputs again) */
  ms: number;
  /**
   * parses of the file it took: 2 when the checks complained and it was read again with positions,
   * 0 when every input was what the running model was loaded from (that load is the outcome)
   */
  passes: number;
  /** the load made when the file changed on disk was still the answer (see ConfigHolder.prepare) */
  prepared: boolean;
}

/** A load of the file as it was on disk, made ahead of the SIGHUP that may ask for it. */
interface Prepared {
  /** the running model it was read and diffed against */
  basis: Model;
  result: LoadResult;
  diff: ModelDiff | undefined;
  /** what it read: the same reads giving the same today make it the load a reload would make */
  inputs: InputLog;
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
  private prepared: Prepared | undefined;
  /** what the last reload's own load read */
  private lastInputs: InputLog | undefined;
  /** what the load of the running model read (unknown for the first load) */
  private currentInputs: InputLog | undefined;
  /** that load's diagnostics (warnings: a reload of the same bytes reports them again) */
  private currentDiagnostics: Diagnostic[] = [];

  constructor(
    private readonly file: string,
    private readonly opts: LoadOptions,
    initial: LoadResult,
    private readonly load: (file: string, opts: LoadOptions) => LoadResult = loadConfig,
    private readonly differ: Differ = diffModels,
    /** what the initial load read (recordInputs), when it was recorded */
    initialInputs?: InputLog,
  ) {
    this.model = initial.model;
    this.blocks = initial.blocks;
    if (initialInputs) {
      this.currentInputs = initialInputs;
      this.currentDiagnostics = initial.diagnostics;
    }
  }

  get current(): Model {
    return this.model;
  }

  /** what the last prepared load read (undefined before the first): the daemon watches it */
  get inputs(): InputLog | undefined {
    return this.prepared?.inputs ?? this.lastInputs;
  }

  /** the prepared load's model, when it is a good one (what the LVS engine may prepare for) */
  get preparedModel(): Model | undefined {
    const p = this.prepared;
    return p && p.basis === this.model && p.result.ok ? p.result.model : undefined;
  }

  /**
   * Nothing new on disk: the inputs are those of the running model's load or of the prepared
   * one (a change event of a write that a reload or a preparation already read).
   */
  upToDate(): boolean {
    const p = this.prepared;
    if (p && p.basis === this.model && inputsUnchanged(p.inputs)) return true;
    return this.currentInputs !== undefined && inputsUnchanged(this.currentInputs);
  }

  /**
   * Loads the file as it is now, as a reload would (with reuse, checked, diffed against the
   * running model), and keeps the result aside: nothing is applied. The daemon calls it when the
   * file (or an include, or a script the checks look at) changes on disk, and once while idle
   * after start. A SIGHUP then only reads the inputs again (every file's bytes, every folder's
   * listing, every stat the checks made) and, when they are what the prepared load saw, takes
   * its result instead of parsing: the same model and diagnostics a load now would give, without
   * the parse on the reload's path. Returns the file's `ok`.
   */
  prepare(): boolean {
    const { value: result, inputs } = recordInputs(() => this.load(this.file, loadOptions(this.opts, this.blocks, true, undefined)));
    this.prepared = { basis: this.model, result, diff: result.ok ? this.differ(this.model, result.model) : undefined, inputs };
    return result.ok;
  }

  /**
   * The start-up rehearsal of a SIGHUP after an edit: the running model's own main file, as its
   * load read it, with 1% of its real_server lines re-spaced (respaceRealServers, `round` picks
   * which), loaded as a reload would (the reader is handed those bytes for that path: nothing is
   * written), checked and diffed, then dropped. Nothing here changes: model, blocks, prepared
   * load, inputs. Under emulation a first changed load runs the parse's per-virtual-server code
   * cold (3-5x its warm time); this runs it on the shapes the real file has. Returns the real
   * servers handed back (the edited ones are read anew), or -1 when it could not run (inputs not
   * recorded, nothing to edit, the load not ok).
   */
  rehearseChange(round: number): number {
    const main = this.currentInputs && firstFileRead(this.currentInputs);
    if (!main) return -1;
    const edit = respaceRealServers(main.bytes, round);
    if (edit.edited === 0) return -1;
    const r = this.rehearseLoad(main.path, edit.bytes, this.blocks);
    if (!r.ok) return -1;
    this.differ(this.model, r.model);
    // and the SIGHUP after it: another edit loaded with the blocks that load kept (a cache made by
    // a reload, its runs handed back and its notes, is not what the running model's load made: a
    // second SIGHUP ran those paths cold, and deoptimised)
    const next = respaceRealServers(main.bytes, round + 1);
    if (r.blocks !== undefined && next.edited > 0) {
      const r2 = this.rehearseLoad(main.path, next.bytes, r.blocks);
      if (r2.ok) this.differ(r.model, r2.model);
    }
    return r.reused;
  }

  /** a load of `bytes` for the main file, as reload() makes it (recorded, with a mark; dropped) */
  private rehearseLoad(path: string, bytes: Buffer, reuse: BlockCache | undefined): LoadResult {
    const mark = (): void => {};
    return withFileBytes(path, bytes, () => recordInputs(() => this.load(this.file, loadOptions(this.opts, reuse, true, mark))).value);
  }

  /**
   * `mark` is called as each step ends (the load's steps, then 'diff'): reload.applied's timings.
   * `rehearsal` (the daemon's start-up rehearsal of this path): only a prepared load of the very
   * inputs the running model was loaded from is taken (a change of nothing); otherwise nothing is
   * loaded, taken or applied, and the prepared load stays.
   */
  reload(mark?: (step: LoadStep | 'diff') => void, rehearsal = false): ReloadOutcome {
    // each file read once: a changed one as the first comparison found it (observed-fs readOnce)
    return readOnce(() => this.reloadOnce(mark, rehearsal));
  }

  private reloadOnce(mark: ((step: LoadStep | 'diff') => void) | undefined, rehearsal: boolean): ReloadOutcome {
    const t0 = performance.now();
    const p = this.prepared;
    const fresh = p !== undefined && p.basis === this.model && inputsUnchanged(p.inputs);
    if (rehearsal && !(fresh && this.currentInputs !== undefined && inputsUnchanged(this.currentInputs))) {
      return { applied: false, diagnostics: [], ms: performance.now() - t0, passes: 0, prepared: false };
    }
    this.prepared = undefined;
    let r: LoadResult;
    let diff: ModelDiff | undefined;
    let prepared = false;
    if (p && fresh) {
      mark?.('read');
      ({ result: r, diff } = p);
      this.lastInputs = p.inputs;
      prepared = true;
    } else if (this.currentInputs !== undefined && inputsUnchanged(this.currentInputs)) {
      // the bytes the running model was loaded from, every input alike: that load is the answer
      // (nothing parsed: a SIGHUP with no edit costs the read of the inputs)
      mark?.('read');
      this.lastInputs = this.currentInputs;
      const model = this.model;
      diff = this.differ(model, model);
      mark?.('diff');
      return { applied: true, diagnostics: [...this.currentDiagnostics], diff, ms: performance.now() - t0, passes: 0, prepared: false };
    } else {
      const rec = recordInputs(() => this.load(this.file, loadOptions(this.opts, this.blocks, true, mark)));
      r = rec.value;
      this.lastInputs = rec.inputs;
      if (r.ok) {
        diff = this.differ(this.model, r.model);
        mark?.('diff');
      }
    }
    if (!r.ok || !diff) return { applied: false, diagnostics: r.diagnostics, ms: performance.now() - t0, passes: r.passes, prepared };
    this.model = r.model;
    this.blocks = r.blocks;
    this.currentInputs = this.lastInputs;
    this.currentDiagnostics = r.diagnostics;
    return { applied: true, diagnostics: r.diagnostics, diff, ms: performance.now() - t0, passes: r.passes, prepared };
  }
}
