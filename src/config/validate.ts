// keepalived's checks after parsing (vrrp_complete_init, validate_check_config, ...): the
// ones whose failures make `keepalived -t` reject a file. Each check lives in its own file
// under src/config/checks/ and is listed here.
import { keepShape } from '../../grammar/shape-keeper.js';
import type { Diagnostic } from '../../grammar/diagnostics.js';
import type { ParseResult } from '../../grammar/parser.js';
import type { Model } from './model.js';
import { checks } from './checks/index.js';

/** What the checks need to know about the machine the config is for. */
export interface SystemView {
  hasInterface(name: string): boolean;
}

export interface CheckContext {
  parsed: ParseResult;
  model: Model;
  system: SystemView;
  /** report at the position of `field` in `obj` (or of the block itself when field is omitted) */
  report(d: Omit<Diagnostic, 'pos'>, obj?: object, field?: string): void;
}

export type Check = (ctx: CheckContext) => void;

const anyInterface: SystemView = { hasInterface: () => true };

export function validateModel(parsed: ParseResult, model: Model, sink: (d: Diagnostic) => void, system: SystemView = anyInterface): void {
  const ctx: CheckContext = {
    parsed,
    model,
    system,
    report(d, obj, field) {
      const at = obj ? parsed.at(obj) : undefined;
      const packed = at ? (field !== undefined && at[field] !== undefined ? at[field] : at.$) : undefined;
      sink({ ...d, pos: packed !== undefined ? parsed.pos(packed) : undefined });
    },
  };
  keepShape('check context', ctx);
  for (const check of checks) check(ctx);
}
