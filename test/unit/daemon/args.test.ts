import { describe, expect, it } from 'vitest';
import { parseArgs, ArgError, DEFAULT_CONF } from '../../../src/daemon/args.js';

describe('parseArgs (keepalived command line)', () => {
  it('defaults to keepalived.conf and no flags', () => {
    const o = parseArgs([]);
    expect(o.useFile).toBe(DEFAULT_CONF);
    expect(o.configTest).toBe(false);
    expect([o.dontFork, o.logConsole, o.dumpConf, o.snmp, o.vrrpOnly, o.checkOnly, o.allConfig, o.coreDump, o.help, o.version]).toEqual(Array(10).fill(false));
    expect(o.configId).toBeUndefined();
  });

  it('takes option values in every getopt form', () => {
    expect(parseArgs(['-f', 'a.conf']).useFile).toBe('a.conf');
    expect(parseArgs(['-fb.conf']).useFile).toBe('b.conf');
    expect(parseArgs(['--use-file=c.conf']).useFile).toBe('c.conf');
    expect(parseArgs(['--use-file', 'd.conf']).useFile).toBe('d.conf');
    expect(parseArgs(['--use=e.conf']).useFile).toBe('e.conf'); // unique prefix
  });

  it('bundles short flags and reads an optional -t log file only when attached', () => {
    const o = parseArgs(['-lnDt', '-i', 'lb2']);
    expect([o.logConsole, o.dontFork, o.logDetail, o.configTest, o.configId]).toEqual([true, true, true, true, 'lb2']);
    expect(o.configTestLog).toBeUndefined();
    expect(parseArgs(['--config-test=/tmp/x.log']).configTestLog).toBe('/tmp/x.log');
    expect(parseArgs(['-t/tmp/y.log']).configTestLog).toBe('/tmp/y.log');
  });

  it('reads pid files, facility and the snmp flag', () => {
    const o = parseArgs(['-p', '/run/a.pid', '-r', '/run/v.pid', '-c', '/run/c.pid', '-S', 'local3', '-x', '-P']);
    expect([o.pidFile, o.vrrpPidFile, o.checkersPidFile, o.logFacility, o.snmp, o.vrrpOnly]).toEqual(['/run/a.pid', '/run/v.pid', '/run/c.pid', 'local3', true, true]);
  });

  it('rejects unknown options, missing values and stray words', () => {
    expect(() => parseArgs(['-q'])).toThrow(ArgError);
    expect(() => parseArgs(['--nope'])).toThrow(/unrecognized option/);
    expect(() => parseArgs(['-f'])).toThrow(/requires an argument/);
    expect(() => parseArgs(['--dont-fork=1'])).toThrow(/doesn't allow an argument/);
    expect(() => parseArgs(['file.conf'])).toThrow(/unexpected argument/);
    expect(() => parseArgs(['--d'])).toThrow(/ambiguous/);
  });
});
