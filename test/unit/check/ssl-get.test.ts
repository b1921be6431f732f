import { createHash, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCheckers } from '../../../src/check/build.js';
import { httpGetOnce, type HttpGetProbe, type HttpGetSpec } from '../../../src/check/http-get.js';
import { loadConfig } from '../../../src/config/load.js';
import { httpResponse } from './servers.js';
import { makePki, type TestPki } from './tls-ca.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** Listens on a free loopback port (handshake errors are the tests' business); returns it. */
async function listen(server: tls.Server): Promise<number> {
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

async function stop(server: tls.Server | undefined, pki: TestPki | undefined): Promise<void> {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  pki?.cleanup();
}

describe('SSL_GET probe against a TLS server with a test CA', () => {
  let pki: TestPki;
  let server: tls.Server;
  let port = 0;
  const seenSni: Array<string | false> = [];
  beforeAll(async () => {
    pki = makePki(['default.test', 'b.test']);
    const ctxB = tls.createSecureContext(pki.cert('b.test'));
    server = tls.createServer({ ...pki.cert('default.test'), SNICallback: (name, cb) => cb(null, name === 'b.test' ? ctxB : undefined) }, (s) => {
      const sni = (s as tls.TLSSocket & { servername?: string | false }).servername ?? false;
      seenSni.push(sni);
      s.on('error', () => {});
      s.once('data', () => s.end(httpResponse(200, sni === 'b.test' ? 'site b' : 'default site')));
    });
    port = await listen(server);
  });
  afterAll(() => stop(server, pki));

  const spec = (over: Partial<HttpGetSpec>, vhost?: string, digest?: string): HttpGetSpec => ({
    target: { addr: '127.0.0.1', family: 4, port, timeoutUs: 2_000_000 },
    urls: [{ path: '/', statusCodes: [[200, 299]], ...(vhost ? { virtualHost: vhost } : {}), ...(digest ? { digest } : {}) }],
    version: '1.0',
    tls: true,
    enableSni: false,
    ...over,
  });
  const sig = () => new AbortController().signal;

  it('fetches over TLS and checks the digest', async () => {
    expect(await httpGetOnce(spec({}, undefined, md5('default site')), 0, sig())).toMatchObject({ ok: true });
    expect((await httpGetOnce(spec({}, undefined, md5('site b')), 0, sig())).ok).toBe(false);
  });

  it('enable_sni sends the virtual host as server name; without it no SNI', async () => {
    seenSni.length = 0;
    expect((await httpGetOnce(spec({ enableSni: true }, 'b.test', md5('site b')), 0, sig())).ok).toBe(true);
    expect((await httpGetOnce(spec({ enableSni: false }, 'b.test', md5('default site')), 0, sig())).ok).toBe(true);
    expect(seenSni).toEqual(['b.test', false]);
  });

  it('a plain HTTP checker against the TLS port fails', async () => {
    expect((await httpGetOnce(spec({ tls: false }), 0, sig())).ok).toBe(false);
  });
});

/** A real server that demands a client certificate signed by the test CA (the director's). */
async function directorsOnlyServer(): Promise<{ pki: TestPki; server: tls.Server; port: number }> {
  const pki = makePki(['server.test', 'director.test']);
  const server = tls.createServer({ ...pki.cert('server.test'), ca: pki.ca, requestCert: true, rejectUnauthorized: true }, (s) => {
    s.on('error', () => {});
    s.once('data', () => s.end(httpResponse(200, 'for directors only')));
  });
  return { pki, server, port: await listen(server) };
}

describe('SSL_GET with the global SSL block (client certificate)', () => {
  let pki: TestPki;
  let server: tls.Server;
  let port = 0;
  beforeAll(async () => {
    ({ pki, server, port } = await directorsOnlyServer());
  });
  afterAll(() => stop(server, pki));
  const spec = (clientTls?: HttpGetSpec['clientTls']): HttpGetSpec => ({
    target: { addr: '127.0.0.1', family: 4, port, timeoutUs: 2_000_000 },
    urls: [{ path: '/', statusCodes: [[200, 299]], digest: md5('for directors only') }],
    version: '1.0',
    tls: true,
    enableSni: false,
    ...(clientTls ? { clientTls } : {}),
  });

  it('is up with the certificate and key, down without them', async () => {
    const ok = await httpGetOnce(spec(pki.cert('director.test')), 0, new AbortController().signal);
    expect(ok.ok).toBe(true);
    const refused = await httpGetOnce(spec(), 0, new AbortController().signal);
    expect(refused.ok).toBe(false);
  });
});

describe('SSL_GET with the global SSL block of a config file (certificate, key, password, ca)', () => {
  let pki: TestPki;
  let server: tls.Server;
  let port = 0;
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-ssl-block-'));
  beforeAll(async () => {
    ({ pki, server, port } = await directorsOnlyServer());
    const { key, cert } = pki.cert('director.test');
    // the key on disk is encrypted: only the block's password opens it
    const locked = createPrivateKey(key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'rs-secret' });
    writeFileSync(join(dir, 'director.key'), locked);
    writeFileSync(join(dir, 'director.pem'), cert);
    writeFileSync(join(dir, 'ca.pem'), pki.ca);
  });
  afterAll(async () => {
    await stop(server, pki);
    rmSync(dir, { recursive: true, force: true });
  });

  /** the SSL_GET the config builds, run once */
  async function checkWith(password: string): Promise<{ errors: string[]; ok: boolean }> {
    const f = join(dir, `k-${password}.conf`);
    writeFileSync(f, `SSL {
  password ${password}
  ca ${dir}/ca.pem
  certificate ${dir}/director.pem
  key ${dir}/director.key
}
virtual_server 127.0.0.1 ${port} {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
  real_server 127.0.0.1 ${port} {
    SSL_GET {
      url {
        path /
        digest ${md5('for directors only')}
      }
      connect_timeout 2
    }
  }
}
`);
    const { model, diagnostics } = loadConfig(f);
    const errors = diagnostics.filter((d) => d.level === 'error').map((d) => d.message);
    const vs = model.virtual_server![0];
    const [ssl] = buildCheckers({ model, ids: () => undefined }, vs, vs.real_server![0]);
    expect(ssl.kind).toBe('SSL_GET');
    return { errors, ok: (await httpGetOnce((ssl.probe as HttpGetProbe).spec, 0, new AbortController().signal)).ok };
  }

  it('the password opens the encrypted key: up; a wrong password: refused by the load, and down if run (no crash)', async () => {
    expect(await checkWith('rs-secret')).toEqual({ errors: [], ok: true });
    expect(await checkWith('not-it')).toEqual({ errors: [`SSL error: the password does not open the key file ${dir}/director.key`], ok: false });
  });
});
