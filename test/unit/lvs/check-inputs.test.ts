// sameGlobalCheckInputs: the global settings checkers read decide whether checkers may keep
// running across a reload; each of them, changed alone, makes the answer false.
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../src/config/model.js';
import { sameGlobalCheckInputs } from '../../../src/lvs/check-inputs.js';

const base = (): Model => ({
  global_defs: { router_id: 'a', script_user: { user: 'nobody' }, enable_script_security: true, checker_log_all_failures: false },
  SSL: { password: 'x', ca: '/ca.pem' },
  track_file: [{ name: 'f1', file: '/tmp/f1', weight: 1 }],
} as unknown as Model);

describe('sameGlobalCheckInputs', () => {
  it('equal values in other objects are the same; fields checkers do not read do not count', () => {
    const b = base();
    (b.global_defs as Record<string, unknown>).router_id = 'b';
    expect(sameGlobalCheckInputs(base(), b)).toBe(true);
    expect(sameGlobalCheckInputs({} as Model, { global_defs: {} } as Model)).toBe(true);
  });

  it('each input changed alone differs', () => {
    const edits: Array<(m: Record<string, Record<string, unknown>>) => void> = [
      (m) => { m.global_defs.script_user = { user: 'root' }; },
      (m) => { m.global_defs.enable_script_security = false; },
      (m) => { m.global_defs.checker_log_all_failures = true; },
      (m) => { m.SSL.ca = '/other.pem'; },
      (m) => { delete m.SSL; },
      (m) => { (m.track_file as unknown as Array<Record<string, unknown>>)[0].weight = 2; },
      (m) => { delete m.global_defs; },
    ];
    for (const edit of edits) {
      const b = base();
      edit(b as unknown as Record<string, Record<string, unknown>>);
      expect(sameGlobalCheckInputs(base(), b)).toBe(false);
      expect(sameGlobalCheckInputs(b, base())).toBe(false);
    }
  });
});
