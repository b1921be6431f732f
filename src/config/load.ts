// Config front end: file -> preprocessor + schema parser -> raw objects with defaults ->
// keepalived's cross-checks -> Model. Diagnostics carry file:line:col, keyword and block.
import { parseConfig, type ParseResult } from '../../grammar/parser.js';
import { rootSchema } from '../../grammar/schema/index.js';
import { ErrClass, exitCodeFor, type Diagnostic } from '../../grammar/diagnostics.js';
import type { BlockCache } from '../../grammar/reuse.js';
import { validateModel, type SystemView } from './validate.js';
import { toModel, type Model } from './model.js';
import { realServerReuse } from './reuse-policy.js';

export interface LoadOptions {
  configId?: string;
  /** -e/--all-config: every include failure is an error */
  allConfig?: boolean;
  /** what the checks need to know about the machine (interfaces...) */
  system?: SystemView;
  /**
   * LoadResult.blocks of the load whose model is running (a reload): unchanged real servers are
   * not read again, and their objects are handed back (see below).
   */
  reuse?: BlockCache;
  /** keep blocks for a later load (LoadResult.blocks); default false */
  keepBlocks?: boolean;
  /**
   * Timing marks of a reload (reload.applied): called as each step of each pass ends, with
   * 'read' (main file read), 'parse', 'model' (raw objects -> Model), 'checks' (validation).
   */
  mark?: (step: LoadStep) => void;
}

export type LoadStep = 'read' | 'parse' | 'model' | 'checks';

export interface LoadResult {
  model: Model;
  diagnostics: Diagnostic[];
  files: string[];
  /** what `keepalived -t` would exit with for this file */
  exitCode: number;
  /** true when there is no error: the config may be run (or reloaded) */
  ok: boolean;
  /** 1, or 2 when the checks needed keyword positions (a config they complained about) */
  passes: number;
  /** what a later load of the same file may reuse (LoadOptions.reuse); absent when nothing may be */
  blocks?: BlockCache;
  /** real servers handed back from LoadOptions.reuse */
  reused: number;
}

/**
 * LoadOptions with every field present, in one order (absent ones undefined): every load made
 * with it has options of one map, which the literal here keeps alive. Objects spread from others
 * have maps of their own, one per set of fields, each living only while an object of it does:
 * after a GC the feedback forgot the one a SIGHUP uses, code was optimised without it (the
 * loads made meanwhile, without a mark), and the SIGHUP's load deoptimised on its options ('wrong
 * map' in parseConfig at entry, VM). The same for the parse's options in loadOnce.
 */
export function loadOptions(base: LoadOptions, reuse: BlockCache | undefined, keepBlocks: boolean, mark: LoadOptions['mark']): LoadOptions {
  return { configId: base.configId, allConfig: base.allConfig, system: base.system, reuse, keepBlocks, mark };
}

/*
 * Identity across reloads (LoadOptions.reuse), what consumers may rely on:
 * - A `real_server` block whose text (keyword line to `}` line) is byte for byte the one of the
 *   previous load, inside a virtual_server with the same address, port, fwmark and lb_kind, is
 *   the SAME object (===) as in the previous model. Its lines may have moved (lines added above
 *   it): model objects carry no positions.
 * - === says the real server's own fields are unchanged (also those the checks filled in: port,
 *   lvs_method). What it inherits at run time from its virtual server or global_defs
 *   (delay_loop, connect_timeout, weight default, alpha...) may have changed: compare those apart.
 * - Only when the previous load kept blocks (LoadResult.blocks: no check complained), and only
 *   for real servers with a port, with plain lines (no comment, quote, $definition, @condition,
 *   ~SEQ or include inside), without MISC_CHECK, BFD_CHECK, FILE_CHECK, notify_up/notify_down,
 *   and not under `virtual_server group`. Anything else is built anew: `old === new` is a fast
 *   path, `old !== new` says nothing (compare the contents).
 * - Virtual servers, their arrays and everything else are always new objects.
 * - Model objects are never changed after a load returns, and a load never changes the objects
 *   of an earlier model: treat them as read-only (a reused object is shared by both models).
 * The result is the one a load without `reuse` gives (same model by value, same diagnostics).
 * Blocks are kept only when asked (keepBlocks: the daemon, which reloads); a one-shot `lvsd -t`
 * does not pay for keeping 100,000 of them.
 */
export function loadConfig(file: string, opts: LoadOptions = {}): LoadResult {
  // First pass without keyword positions (fast, lean); a config the checks complain about
  // is parsed again with positions so every message can point at its keyword.
  const keep = opts.keepBlocks ?? false;
  let r = loadOnce(file, opts, false, keep, opts.reuse);
  // a real server reused under a virtual server that changed: read everything again
  if (r.reuseFailed) r = loadOnce(file, opts, false, keep, undefined);
  if (r.checkComplained) {
    r = loadOnce(file, opts, true, false, undefined);
    r.result.passes = 2;
  }
  return r.result;
}

interface Once { result: LoadResult; checkComplained: boolean; reuseFailed: boolean }

function loadOnce(file: string, opts: LoadOptions, positions: boolean, keep: boolean, previous: BlockCache | undefined): Once {
  // (every field present, in one order, absent ones undefined: see loadOptions)
  const mark = opts.mark;
  const parsed: ParseResult = parseConfig(file, rootSchema, {
    configId: opts.configId, allConfig: opts.allConfig, positions,
    reuse: keep ? { policy: realServerReuse, previous } : undefined,
    onRead: mark !== undefined ? () => mark('read') : undefined,
  });
  opts.mark?.('parse');
  const diagnostics = parsed.diagnostics;
  const model = toModel(parsed.root);
  opts.mark?.('model');
  // (checks must not run on reused objects under a changed parent: they could change them)
  if (parsed.reuseFailed) return { result: { model, diagnostics, files: parsed.files, exitCode: 0, ok: false, passes: 1, reused: 0 }, checkComplained: false, reuseFailed: true };
  if (parsed.files.length === 0 && !diagnostics.some((d) => d.level === 'error')) {
    diagnostics.push({ cls: ErrClass.FileNotFound, level: 'error', message: `Unable to read configuration file ${file}` });
  }
  let checkComplained = false;
  validateModel(parsed, model, (d) => {
    checkComplained = true;
    diagnostics.push(d);
  }, opts.system);
  opts.mark?.('checks');
  const exitCode = exitCodeFor(diagnostics);
  const result: LoadResult = { model, diagnostics, files: parsed.files, exitCode, ok: exitCode === 0, passes: 1, reused: parsed.reused };
  // kept blocks are reusable only as the checks left them without a word (see reuse-policy.ts)
  if (!checkComplained && parsed.blocks) result.blocks = parsed.blocks;
  return { result, checkComplained: checkComplained && !positions, reuseFailed: false };
}
