import { afterAll, describe, expect, it } from 'vitest';
import type { RawObject } from '../../../../grammar/parser.js';
import { cleanup, errors, errorsAt, load } from './load-text.js';

afterAll(cleanup);

const vs = (head: string, body: string) => `virtual_server ${head} {\n${body}\n}\n`;
const rs = (addr: string, body = 'weight 1') => `real_server ${addr} {\n${body}\n}`;
const full = 'lb_algo rr\nlb_kind NAT\nprotocol TCP';
const first = (r: { model: { virtual_server?: RawObject[] } }): RawObject => {
  const v = r.model.virtual_server?.[0];
  if (!v) throw new Error('no virtual_server in the model');
  return v;
};

describe('virtual_server validation', () => {
  it('accepts a complete service', () => {
    expect(errors(load(vs('10.0.0.1 80', `${full}\n${rs('192.168.0.1 80')}`)))).toEqual([]);
  });

  it('reports a service without real servers', () => {
    expect(errorsAt(load(vs('10.0.0.1 80', full)))).toEqual(['1:1 Virtual server 10.0.0.1:tcp:80 has no real servers - ignoring']);
  });

  it('applies keepalived defaults after complaining: wlc, NAT, UDP', () => {
    const r = load(vs('10.0.0.1 80', rs('192.168.0.1 80')));
    expect(errorsAt(r)).toEqual([
      "1:1 Virtual server 10.0.0.1:none:80: no protocol set - defaulting to UDP",
      "1:1 Virtual server 10.0.0.1:udp:80: no scheduler set, setting default 'wlc'",
      '1:1 Virtual server 10.0.0.1:udp:80: no forwarding method set, setting default NAT',
    ]);
    const v = first(r);
    expect([v.protocol, v.lvs_sched, v.lvs_method]).toEqual(['UDP', 'wlc', { method: 'NAT' }]);
  });

  it('counts lb_algo wlc written explicitly as set (second, positioned pass)', () => {
    expect(errors(load(vs('10.0.0.1 80', `lb_algo wlc\nlb_kind NAT\nprotocol TCP\n${rs('192.168.0.1 80')}`)))).toEqual([]);
  });

  it('removes a duplicated real server, reported at the second one', () => {
    const r = load(vs('10.0.0.1 80', `${full}\n${rs('192.168.0.1 80')}\n${rs('192.168.0.1 80')}`));
    expect(errorsAt(r)).toEqual(['8:1 VS 10.0.0.1:tcp:80: real server 192.168.0.1:80 is duplicated - removing second rs']);
    expect((first(r).real_server as unknown[]).length).toBe(1);
  });

  it('reduces a quorum above the total weight, and hysteresis below the quorum', () => {
    const r = load(vs('10.0.0.1 80', `${full}\nquorum 5\nhysteresis 5\n${rs('192.168.0.1 80', 'weight 2')}`));
    expect(errorsAt(r)).toEqual([
      '5:1 Warning - quorum 5 for 10.0.0.1:tcp:80 exceeds total weight of real servers 2, reducing quorum to 2',
      '6:1 Virtual server 10.0.0.1:tcp:80: hysteresis 5 >= quorum 2; setting hysteresis to 1',
    ]);
    expect([first(r).quorum, first(r).hysteresis]).toEqual([2, 1]);
  });

  it('resets a DR real server port to the service port; NAT may differ', () => {
    const dr = load(vs('10.0.0.1 80', `lb_algo rr\nlb_kind DR\nprotocol TCP\n${rs('192.168.0.1 8080')}`));
    expect(errorsAt(dr)[0]).toMatch(/^5:1 WARNING - virtual server 10.0.0.1:tcp:80 and real server 192.168.0.1:8080 ports don't match - resetting/);
    expect((first(dr).real_server as RawObject[])[0].port).toBe(80);
    expect(errors(load(vs('10.0.0.1 80', `${full}\n${rs('192.168.0.1 8080')}`)))).toEqual([]);
  });

  it('ignores the protocol of a fwmark service and needs a port or persistence otherwise', () => {
    expect(errorsAt(load(vs('fwmark 3', `${full}\n${rs('192.168.0.1')}`)))).toEqual(['4:1 Warning: Virtual server FWM 3: protocol specified for fwmark - protocol will be ignored']);
    const r = load(vs('10.0.0.1 0', `${full}\n${rs('192.168.0.1')}`));
    expect(errorsAt(r)[0]).toMatch(/zero port only valid for persistent services/);
    expect(first(r).persistence_timeout).toBe(360);
  });
});

describe('HTTP_GET regex', () => {
  const withRegex = (re: string, options = '') =>
    load(vs('10.0.0.1 80', `${full}\n${rs('192.168.0.1 80', `HTTP_GET {\nurl {\npath /\nregex "${re}"\n${options ? `regex_options ${options}\n` : ''}}\n}`)}`));
  it('takes PCRE2 syntax JavaScript lacks (inline options, possessive, \\A)', () => {
    expect(errors(withRegex('(?i)\\\\Aok++'))).toEqual([]);
    expect(errors(withRegex('ok # comment', 'extended ungreedy'))).toEqual([]);
  });
  it('names the regex line of a pattern PCRE2 refuses or lvsd cannot match as PCRE2 does', () => {
    // the regex line is line 9 (virtual_server, 3 settings, real_server, HTTP_GET, url, path)
    expect(errorsAt(withRegex('ok('))).toEqual(["9:1 Invalid regex: 'ok(': missing closing parenthesis at offset 3"]);
    expect(errorsAt(withRegex('(a)(?1)'))).toEqual(["9:1 Invalid regex: '(a)(?1)': recursion and subroutine calls are not supported at offset 3"]);
  });
});
