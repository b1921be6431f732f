import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrClass } from '../../../../grammar/diagnostics.js';
import { cleanup, dirs, errors, errorsAt, load, vrrp } from './load-text.js';
import { programOf, scriptFacts } from '../../../../src/config/checks/script-file.js';

afterAll(cleanup);

const inst = (extra: string) => vrrp(`interface eth0\nvirtual_router_id 1\n${extra}virtual_ipaddress {\n10.0.0.1\n}`);
const secure = 'global_defs {\nenable_script_security\nscript_user root\n}\n';

describe('script security', () => {
  it('fails with the Security class (exit 6) when a script runs without enable_script_security', () => {
    const r = load(inst('notify_master "/bin/true master"\n'));
    expect(errorsAt(r)).toEqual(['4:1 SECURITY VIOLATION - vrrp scripts are being executed but script_security not enabled (add enable_script_security to global_defs).']);
    expect(errors(r)[0].cls).toBe(ErrClass.Security);
    expect(r.exitCode).toBe(6);
  });

  it('accepts the same script with enable_script_security and a script user', () => {
    expect(load(secure + inst('notify_master "/bin/true master"\n')).exitCode).toBe(0);
  });

  it('does not count scripts that do not exist or /dev/tcp checks as scripts', () => {
    expect(load(inst('notify_master /nonexistent/notify.sh\n')).exitCode).toBe(0);
    expect(load('vrrp_script tcp {\nscript "</dev/tcp/127.0.0.1/80"\n}\n' + inst('track_script {\ntcp\n}\n')).exitCode).toBe(0);
  });

  it('disables a tracked vrrp_script that cannot be found, as an error', () => {
    const r = load(secure + 'vrrp_script gone {\nscript /nonexistent/check.sh\n}\n' + inst('track_script {\ngone\n}\n'));
    expect(errorsAt(r)).toEqual(['6:1 Disabling track script gone since not found/accessible']);
  });

  it('disables an insecure script (world writable folder) when script security is on', () => {
    const dir = join(dirs[0] ?? '/tmp', 'unsafe');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    const script = join(dir, 'check.sh');
    writeFileSync(script, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const r = load(`${secure}vrrp_script unsafe {\nscript ${script}\n}\n${inst('track_script {\nunsafe\n}\n')}`);
    expect(errorsAt(r)[0]).toMatch(/^6:1 Disabling track script unsafe due to insecure path/);
    // without enable_script_security it runs, and keepalived refuses the config outright
    expect(load(`vrrp_script unsafe {\nscript ${script}\n}\n${inst('track_script {\nunsafe\n}\n')}`).exitCode).toBe(6);
  });

  it('checks MISC_CHECK scripts of the checker side too', () => {
    const cfg = 'virtual_server 10.0.0.1 80 {\nlb_algo rr\nlb_kind NAT\nprotocol TCP\nreal_server 10.0.1.1 80 {\nMISC_CHECK {\nmisc_path "/bin/true x"\n}\n}\n}\n';
    expect(load(cfg).exitCode).toBe(6);
    expect(load(secure + cfg).exitCode).toBe(0);
  });

  it('reports a script user that does not exist', () => {
    const r = load('vrrp_script s {\nscript /bin/true\nuser lvsd-no-such-user\n}\n' + inst('track_script {\ns\n}\n'));
    expect(errorsAt(r).slice(0, 2)).toEqual([
      "3:1 Unable to set uid/gid for script: no user or group 'lvsd-no-such-user' - removing",
      '8:1 (VI_1) track script s not found, ignoring...',
    ]);
  });

  it('finds the program of a command line and searches PATH for bare names', () => {
    expect(programOf('"/usr/bin/x y" arg')).toBe('/usr/bin/x y');
    expect(programOf('  /bin/true  a b')).toBe('/bin/true');
    expect(scriptFacts('sh -c true').kind).toBe('script');
    expect(scriptFacts('lvsd-no-such-program-anywhere').kind).toBe('missing');
    expect(scriptFacts('</dev/tcp/127.0.0.1/80').kind).toBe('system');
  });
});

describe('removed objects leave the model', () => {
  it('drops a vrrp_script keepalived disables, and the tracking lines naming it', () => {
    const r = load('global_defs {\nenable_script_security\nscript_user root\n}\nvrrp_script gone {\nscript /nonexistent/check.sh\n}\nvrrp_script ok {\nscript "</dev/tcp/127.0.0.1/80"\n}\n' + inst('track_script {\ngone\nok\n}\n'));
    expect((r.model.vrrp_script as Array<{ name: string }>).map((s) => s.name)).toEqual(['ok']);
    expect((r.model.vrrp_instance as Array<{ track_script: Array<{ name: string }> }>)[0].track_script.map((t) => t.name)).toEqual(['ok']);
    expect(JSON.stringify(r.model)).not.toContain('$removed');
  });
});
