import { describe, expect, it } from 'vitest';
import { VrrpMachine } from '../../../src/vrrp/machine.js';
import { SyncGroup, type MemberAction } from '../../../src/vrrp/sync-group.js';
import { defaultMachineParams } from '../../../src/vrrp/types.js';

function group(): { g: SyncGroup; a: VrrpMachine; b: VrrpMachine } {
  const a = new VrrpMachine(defaultMachineParams({ name: 'A', vrid: 1, primaryAddress: '10.0.0.2', priority: 100 }));
  const b = new VrrpMachine(defaultMachineParams({ name: 'B', vrid: 2, primaryAddress: '10.0.1.2', priority: 150 }));
  const g = new SyncGroup('G', [a, b]);
  g.handleAll({ type: 'start' }, 0);
  return { g, a, b };
}
const becomes = (acts: MemberAction[]): string[] =>
  acts.flatMap((x) => (x.action.type === 'become' ? [`${x.instance}:${x.action.state}`] : []));

describe('vrrp_sync_group', () => {
  it('starts every member in BACKUP', () => {
    const { g, a, b } = group();
    expect([a.state, b.state, g.state]).toEqual(['BACKUP', 'BACKUP', 'BACKUP']);
  });

  it('a member whose timer fires first waits for the others, then all go MASTER together', () => {
    const { g, a, b } = group();
    // B (priority 150) has the shorter skew, so its timer fires first.
    expect(b.deadline).toBeLessThan(a.deadline ?? 0);
    const first = g.handle('B', { type: 'timer' }, b.deadline ?? 0);
    expect(becomes(first)).toEqual([]);
    expect(b.wantMaster).toBe(true);
    const second = g.handle('A', { type: 'timer' }, a.deadline ?? 0);
    expect(becomes(second)).toEqual(['A:MASTER', 'B:MASTER']);
    expect(g.state).toBe('MASTER');
    expect(second.filter((x) => x.action.type === 'add-vips').map((x) => x.instance).sort()).toEqual(['A', 'B']);
  });

  function masters(): { g: SyncGroup; a: VrrpMachine; b: VrrpMachine } {
    const r = group();
    r.g.handle('B', { type: 'timer' }, r.b.deadline ?? 0);
    r.g.handle('A', { type: 'timer' }, r.a.deadline ?? 0);
    expect([r.a.state, r.b.state]).toEqual(['MASTER', 'MASTER']);
    return r;
  }

  it('one member stepping down to BACKUP brings the others down', () => {
    const { g, a, b } = masters();
    const acts = g.handle('A', { type: 'advert', src: '10.0.0.9', priority: 200, advertIntervalMs: 1000 }, 10_000);
    expect(becomes(acts)).toEqual(['A:BACKUP', 'B:BACKUP']);
    expect([a.state, b.state, g.state]).toEqual(['BACKUP', 'BACKUP', 'BACKUP']);
  });

  it('FAULT in one member moves all to FAULT; the master ones send priority 0 and drop VIPs', () => {
    const { g, a, b } = masters();
    const acts = g.handle('B', { type: 'interface', up: false }, 10_000);
    expect(becomes(acts).sort()).toEqual(['A:FAULT', 'B:FAULT']);
    const zeros = acts.filter((x) => x.action.type === 'send-advert' && x.action.priority === 0).map((x) => x.instance).sort();
    expect(zeros).toEqual(['A', 'B']);
    expect([a.state, b.state, g.state]).toEqual(['FAULT', 'FAULT', 'FAULT']);
  });

  it('the group leaves FAULT only when every member is healthy', () => {
    const { g, a, b } = group();
    g.handle('A', { type: 'interface', up: false }, 100);
    g.handle('B', { type: 'interface', up: false }, 200);
    g.handle('A', { type: 'interface', up: true }, 300);
    expect([a.state, b.state]).toEqual(['FAULT', 'FAULT']);
    const acts = g.handle('B', { type: 'interface', up: true }, 400);
    expect(becomes(acts).sort()).toEqual(['A:BACKUP', 'B:BACKUP']);
    expect(g.state).toBe('BACKUP');
  });

  it('a held member ignores adverts while FAULT', () => {
    const { g, a } = group();
    g.handle('B', { type: 'interface', up: false }, 100);
    expect(g.handle('A', { type: 'advert', src: '10.0.0.9', priority: 0, advertIntervalMs: 1000 }, 200)).toEqual([]);
    expect(a.state).toBe('FAULT');
  });

  it('refuses unknown members', () => {
    const { g } = group();
    expect(() => g.handle('C', { type: 'timer' }, 0)).toThrow(/not in sync group/);
  });
});
