import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCheckers } from '../../../src/check/build.js';
import { DnsProbe } from '../../../src/check/dns.js';
import { HttpGetProbe } from '../../../src/check/http-get.js';
import { MiscProbe } from '../../../src/check/misc.js';
import { PingProbe } from '../../../src/check/ping.js';
import { SmtpProbe } from '../../../src/check/smtp.js';
import { TcpProbe } from '../../../src/check/tcp.js';
import { UdpProbe } from '../../../src/check/udp.js';
import { loadConfig } from '../../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONF = `global_defs {
  script_user nobody
  enable_script_security
  checker_log_all_failures
}
track_file tf {
  file ${dir}/tf
}
virtual_server 10.0.0.1 80 {
  protocol TCP
  lvs_sched wlc
  lvs_method NAT
  delay_loop 10
  retry 4
  connect_timeout 7
  real_server 10.0.0.2 80 {
    delay_before_retry 2
    alpha
    virtualhost rs.example
    TCP_CHECK {
      connect_ip 10.0.0.5
      connect_port 8080
      bindto 10.0.0.9
      retry 1
    }
    HTTP_GET {
      url {
        path /a
        digest 0123456789abcdef0123456789abcdef
        status_code 200 300-302
        regex_min_offset 5
      }
      url {
        path /b
        virtualhost b.example
        regex "^ok [a-z]+$"
        regex_options caseless multiline
        regex_min_offset 3
        regex_max_offset 40
      }
      url {
        path /c
        regex c
        regex_min_offset 9
        regex_max_offset 3
      }
      http_protocol 1.0C
      connect_timeout 3
      warmup 1
    }
    SSL_GET {
      url {
        path /
      }
      enable_sni
    }
    MISC_CHECK {
      misc_path "/bin/sh -c 'exit 2'"
      misc_dynamic
      alpha false
    }
    DNS_CHECK {
      log_all_failures false
      type AAAA
      name svc.example
    }
    UDP_CHECK {
      payload 0a0b
      require_reply 0a0x
    }
    FILE_CHECK {
      track_file tf
      weight 0
    }
  }
}
`;

describe('buildCheckers', () => {
  it('builds every checker kind with keepalived inheritance of timers', () => {
    const f = join(dir, 'k.conf');
    writeFileSync(f, CONF);
    const { model, diagnostics } = loadConfig(f);
    expect(diagnostics.filter((d) => d.level === 'error')).toEqual([]);
    const vs = model.virtual_server![0];
    const cs = buildCheckers({ model, ids: (u, g) => (u === 'nobody' ? { uid: 65534, gid: g ? 1 : 65534 } : undefined) }, vs, vs.real_server![0]);
    expect(cs.map((c) => c.id)).toEqual(['TCP_CHECK#0', 'HTTP_GET#0', 'SSL_GET#0', 'MISC_CHECK#0', 'DNS_CHECK#0', 'UDP_CHECK#0', 'FILE_CHECK#0']);
    const [tcp, http, ssl, misc, dns, udp, file] = cs;

    expect(tcp.timing).toMatchObject({ retry: 1, delayLoopUs: 10_000_000, delayBeforeRetryUs: 2_000_000, connectTimeoutUs: 7_000_000, warmupUs: 10_000_000, alpha: true });
    // connect_ip / connect_port instead of the real server's address and port
    expect((tcp.probe as TcpProbe).target).toEqual({ addr: '10.0.0.5', family: 4, port: 8080, bindAddr: '10.0.0.9', timeoutUs: 7_000_000 });
    expect(tcp.machine.up).toBe(false); // alpha from the real server

    expect(http.timing).toMatchObject({ retry: 4, connectTimeoutUs: 3_000_000, warmupUs: 1_000_000 });
    const hs = (http.probe as HttpGetProbe).spec;
    expect(hs.version).toBe('1.0c');
    expect(hs.urls).toEqual([
      { path: '/a', digest: '0123456789abcdef0123456789abcdef', statusCodes: [[200, 200], [300, 302]], virtualHost: 'rs.example' },
      { path: '/b', statusCodes: [[200, 299]], virtualHost: 'b.example', regex: /(?:(?<![^])|(?<=\n)(?=[^]))ok [a-z]+(?=\n|(?![^]))/i, regexMinOffset: 3, regexMaxOffset: 40 },
      // min above max: both dropped, as keepalived; /a: offsets without a regex are ignored
      { path: '/c', statusCodes: [[200, 299]], virtualHost: 'rs.example', regex: /c/ },
    ]);
    // regex_options caseless multiline: PCRE2's line starts and ends written out, caseless as the i flag
    expect(hs.urls[1].regex?.test('x\nOK Body')).toBe(true);
    expect(hs.urls[1].regex?.test('x\rOK Body')).toBe(false); // PCRE2's newline is LF alone
    expect((ssl.probe as HttpGetProbe).spec).toMatchObject({ tls: true, enableSni: true });

    expect(misc.dynamic).toBe(true);
    expect(misc.machine.up).toBe(true); // alpha false on the checker wins
    expect((misc.probe as MiscProbe).spec).toMatchObject({ args: ['/bin/sh', '-c', 'exit 2'], timeoutUs: 10_000_000, ids: { uid: 65534, gid: 65534 } });

    expect(dns.timing.retry).toBe(4);
    // checker_log_all_failures for all, log_all_failures of a checker over it
    expect([tcp.timing.logAllFailures, http.timing.logAllFailures, dns.timing.logAllFailures]).toEqual([true, true, false]);
    expect((dns.probe as DnsProbe).spec).toMatchObject({ type: 'AAAA', name: 'svc.example', target: { port: 80 } });

    const us = (udp.probe as UdpProbe).spec;
    expect(us.payload).toEqual(Buffer.from([10, 11]));
    expect(us.requireReply).toEqual({ data: Buffer.from([10, 0]), mask: Buffer.from([0, 0x0f]) });

    expect(file.file).toEqual({ path: `${dir}/tf`, weight: 0, reverse: false });
    expect(file.probe).toBeUndefined();
  });

  it('SMTP_CHECK (with deprecated host blocks) and PING_CHECK; bind_if reaches the target', () => {
    const f = join(dir, 'smtp.conf');
    writeFileSync(
      f,
      `virtual_server 10.0.0.1 25 {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
  delay_loop 3
  connect_timeout 4
  real_server 10.0.0.2 25 {
    SMTP_CHECK {
      helo_name "probe.example"
      host {
        connect_ip 10.0.0.3
        connect_port 2525
        connect_timeout 2
      }
      host {
        bindto 10.0.0.9
      }
    }
    SMTP_CHECK {
      connect_port 587
      host {
        connect_ip 10.0.0.4
      }
    }
    PING_CHECK {
      connect_ip fe80::1
      bind_if eth7
      retry 3
    }
  }
}
`,
    );
    const { model, diagnostics } = loadConfig(f);
    expect(diagnostics.filter((d) => d.level === 'error')).toEqual([]);
    expect(diagnostics.map((d) => d.message).filter((m) => /not implemented/.test(m))).toEqual([]);
    const vs = model.virtual_server![0];
    const cs = buildCheckers({ model }, vs, vs.real_server![0]);
    // no connection keyword of its own: the first host takes the checker's place
    expect(cs.map((c) => c.id)).toEqual(['SMTP_CHECK#0', 'SMTP_CHECK#0/host1', 'SMTP_CHECK#1', 'SMTP_CHECK#1/host1', 'PING_CHECK#0']);
    const smtp = cs.slice(0, 4).map((c) => (c.probe as SmtpProbe).spec);
    expect(smtp[0]).toEqual({ heloName: 'probe.example', target: { addr: '10.0.0.3', family: 4, port: 2525, timeoutUs: 2_000_000 } });
    expect(smtp[1]).toEqual({ heloName: 'probe.example', target: { addr: '10.0.0.2', family: 4, port: 25, bindAddr: '10.0.0.9', timeoutUs: 4_000_000 } });
    expect(cs[0].timing.connectTimeoutUs).toBe(2_000_000);
    // connect_port set on the checker: it keeps its own target, the host is one more
    expect(smtp[2]).toEqual({ heloName: 'smtpchecker.keepalived.org', target: { addr: '10.0.0.2', family: 4, port: 587, timeoutUs: 4_000_000 } });
    expect(smtp[3].target).toMatchObject({ addr: '10.0.0.4', port: 25 });
    expect(cs[0].machine.onResult(false).event).toBeNull(); // SMTP retries even its first failure
    const ping = cs[4];
    expect((ping.probe as PingProbe).target).toMatchObject({ addr: 'fe80::1', family: 6, bindIf: 'eth7' });
    expect(ping.timing.retry).toBe(3);
  });
});
