// Config front end: file -> preprocessor + schema parser -> raw objects with defaults ->
// keepalived's cross-checks -> Model. Diagnostics carry file:line:col, keyword and block.
import { parseConfig, type ParseResult } from '../../grammar/parser.js';
import { rootSchema } from '../../grammar/schema/index.js';
import { ErrClass, exitCodeFor, type Diagnostic } from '../../grammar/diagnostics.js';
import { validateModel, type SystemView } from './validate.js';
import { toModel, type Model } from './model.js';

export interface LoadOptions {
  configId?: string;
  /** -e/--all-config: every include failure is an error */
  allConfig?: boolean;
  /** what the checks need to know about the machine (interfaces...) */
  system?: SystemView;
}

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
}

export function loadConfig(file: string, opts: LoadOptions = {}): LoadResult {
  // First pass without keyword positions (fast, lean); a config the checks complain about
  // is parsed again with positions so every message can point at its keyword.
  let r = loadOnce(file, opts, false);
  if (r.checkComplained) {
    r = loadOnce(file, opts, true);
    r.result.passes = 2;
  }
  return r.result;
}

function loadOnce(file: string, opts: LoadOptions, positions: boolean): { result: LoadResult; checkComplained: boolean } {
  const parsed: ParseResult = parseConfig(file, rootSchema, { configId: opts.configId, allConfig: opts.allConfig, positions });
  const diagnostics = parsed.diagnostics;
  if (parsed.files.length === 0 && !diagnostics.some((d) => d.level === 'error')) {
    diagnostics.push({ cls: ErrClass.FileNotFound, level: 'error', message: `Unable to read configuration file ${file}` });
  }
  const model = toModel(parsed.root);
  let checkComplained = false;
  validateModel(parsed, model, (d) => {
    checkComplained = true;
    diagnostics.push(d);
  }, opts.system);
  const exitCode = exitCodeFor(diagnostics);
  return { result: { model, diagnostics, files: parsed.files, exitCode, ok: exitCode === 0, passes: 1 }, checkComplained: checkComplained && !positions };
}
