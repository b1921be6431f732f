// The policy's scripts (notify_up/notify_down of a real server, quorum_up/quorum_down) are run
// for real: the command line of the action, as written, no shell; a failing or hanging script is
// logged (the hanging one killed), never thrown; settle() waits for them (omega at shutdown).
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/daemon/log.js';
import { LvsScripts } from '../../../src/daemon/lvs-scripts.js';
import { until } from '../support/until.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-lvs-scripts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): { log: ReturnType<typeof createLogger>; recs: Array<Record<string, unknown>> } {
  const recs: Array<Record<string, unknown>> = [];
  const out = new Writable({ write(chunk: Buffer, _e, cb) { for (const l of chunk.toString().split('\n')) if (l) recs.push(JSON.parse(l) as Record<string, unknown>); cb(); } });
  return { log: createLogger({ out }), recs };
}

/** a script that appends its arguments to `calls` (after `delay` seconds) and exits with `code` */
function script(name: string, code = 0, delay = 0): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\nsleep ${delay}\necho "$@" >> ${join(dir, 'calls')}\nexit ${code}\n`);
  chmodSync(p, 0o755);
  return p;
}
const calls = (): string[] => (existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean) : []);

describe('LvsScripts', () => {
  it('runs notify_up/notify_down and quorum_up/quorum_down with the words of their line', async () => {
    const { log, recs } = capture();
    const s = new LvsScripts(log);
    const ok = script('ok.sh');
    s.run({ kind: 'rs-up', vs: 'v', rs: '10.0.0.2:80', script: { cmd: `${ok} up "rs two"` } });
    s.run({ kind: 'rs-down', vs: 'v', rs: '10.0.0.2:80', script: { cmd: `${ok} down` } });
    s.run({ kind: 'quorum-down', vs: 'v', weight: 0, threshold: 1, script: { cmd: `${ok} quorum-lost` } });
    s.run({ kind: 'sorry-in', vs: 'v' }); // carries no script
    s.run({ kind: 'quorum-up', vs: 'v', weight: 1, threshold: 1 }); // none configured
    await s.settle(5000);
    expect(calls().sort()).toEqual(['down', 'quorum-lost', 'up rs two']);
    expect(recs.filter((r) => r.event === 'lvs.script-failed')).toEqual([]);
  });

  it('a failing script and one past its timeout are logged, the hanging one killed; nothing throws', async () => {
    const { log, recs } = capture();
    const s = new LvsScripts(log, 8, 300);
    s.run({ kind: 'rs-down', vs: 'v', rs: 'r', script: { cmd: `${script('fail.sh', 3)} failing` } });
    s.run({ kind: 'rs-down', vs: 'v', rs: 'r', script: { cmd: `${script('slow.sh', 0, 5)} hanging` } });
    s.run({ kind: 'rs-down', vs: 'v', rs: 'r', script: { cmd: join(dir, 'missing.sh') } });
    await until(() => recs.filter((r) => r.event === 'lvs.script-failed').length === 3, 4000);
    const failed = recs.filter((r) => r.event === 'lvs.script-failed').map((r) => r.cmd as string).sort();
    expect(failed).toEqual([`${join(dir, 'fail.sh')} failing`, join(dir, 'missing.sh'), `${join(dir, 'slow.sh')} hanging`].sort());
    await new Promise((r) => setTimeout(r, 300));
    expect(calls()).not.toContain('hanging'); // killed before it wrote
  });

  it('settle() returns after its limit while a script still runs', async () => {
    const { log } = capture();
    const s = new LvsScripts(log, 8, 10_000);
    s.run({ kind: 'rs-down', vs: 'v', rs: 'r', script: { cmd: `${script('long.sh', 0, 1)} long` } });
    const t0 = Date.now();
    await s.settle(200);
    expect(Date.now() - t0).toBeLessThan(800);
    expect(calls()).not.toContain('long');
    await s.settle(5000); // and waits for it when given the time
    expect(calls()).toContain('long');
  });
});
