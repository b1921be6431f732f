// The start-up rehearsal's changed reload runs the reload paths of a change (a run of kept blocks
// ending early, fresh real servers checked against the previous aggregate) and leaves nothing.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { rehearseChangedReload } from '../../../src/config/rehearse-reload.js';

describe('rehearseChangedReload', () => {
  it('reloads the made-up config with a change: every unchanged real server handed back, its folder removed', () => {
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('lvsd-rehearsal-')).length;
    // 4 x 24 real servers; 4 weights changed, 1 removed, 1 added: 96 - 4 - 1 handed back
    expect(rehearseChangedReload()).toBe(91);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('lvsd-rehearsal-')).length).toBe(before);
  });
});
