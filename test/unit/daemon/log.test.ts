import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, humanLine, EV } from '../../../src/daemon/log.js';

function sink() {
  const lines: string[] = [];
  const out = new Writable({ write(chunk, _enc, cb) { lines.push(...String(chunk).split('\n').filter(Boolean)); cb(); } });
  return { out, lines };
}

describe('logging', () => {
  it('writes JSON lines carrying the stable event name', () => {
    const s = sink();
    const log = createLogger({ out: s.out });
    log.info({ event: EV.vrrpTransition, instance: 'VI_1', from: 'BACKUP', to: 'MASTER' }, 'became master');
    const rec = JSON.parse(s.lines[0]) as Record<string, unknown>;
    expect(rec).toMatchObject({ level: 30, event: 'vrrp.transition', instance: 'VI_1', to: 'MASTER', msg: 'became master', pid: process.pid });
  });

  it('writes one human line per event on the console', () => {
    const s = sink();
    const log = createLogger({ out: s.out, console: true });
    log.warn({ event: EV.checkDown, rs: '10.0.0.1:80' }, 'connection refused');
    expect(s.lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z WARN  check\.down connection refused rs=10\.0\.0\.1:80$/);
  });

  it('hides debug unless -D', () => {
    const a = sink();
    createLogger({ out: a.out }).debug({ event: EV.vrrpDrop }, 'x');
    const b = sink();
    createLogger({ out: b.out, detail: true }).debug({ event: EV.vrrpDrop }, 'x');
    expect([a.lines.length, b.lines.length]).toEqual([0, 1]);
  });

  it('formats nested values as JSON', () => {
    expect(humanLine({ time: 0, level: 50, event: 'ipvs.apply', msg: 'failed', op: { add: 1 } })).toBe('1970-01-01T00:00:00.000Z ERROR ipvs.apply failed op={"add":1}');
  });

  it('hands every JSON record to a second destination (syslog) too, human console or not', () => {
    const s = sink();
    const copies: string[] = [];
    const log = createLogger({ out: s.out, console: true, also: { write: (l) => void copies.push(l) } });
    log.info({ event: EV.vipAdd, vip: '10.0.0.9/32' }, 'VIP added');
    expect(s.lines[0]).toMatch(/INFO  vip\.add VIP added vip=10\.0\.0\.9\/32$/);
    expect(JSON.parse(copies[0]) as Record<string, unknown>).toMatchObject({ event: 'vip.add', vip: '10.0.0.9/32', msg: 'VIP added' });
  });
});

