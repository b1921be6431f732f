// A reply that reached the socket while the event loop was late (a starved VM, a long GC) is
// read before a per-phase timeout is allowed to fail the check.
import { describe, expect, it } from 'vitest';
import { httpGetOnce } from '../../../src/check/http-get.js';
import { httpResponse, tcpServer } from './servers.js';

describe('HTTP_GET with a late event loop', () => {
  it('the reply that arrived during a blocked loop wins over the first-read timeout', async () => {
    // the server answers 30 ms after the request; the checker's loop is blocked from 20 ms to
    // 320 ms, past the 100 ms timeout, while the reply sits in the socket
    const srv = await tcpServer((s) => s.once('data', () => setTimeout(() => s.end(httpResponse(200, 'late but there')), 30)));
    try {
      const p = httpGetOnce(
        { target: { addr: '127.0.0.1', family: 4, port: srv.port, timeoutUs: 100_000 }, urls: [{ path: '/', statusCodes: [[200, 299]] }], version: '1.0', tls: false, enableSni: false },
        0,
        new AbortController().signal,
      );
      await new Promise((r) => setTimeout(r, 20));
      const until = Date.now() + 300;
      while (Date.now() < until) {
        // blocked loop
      }
      expect(await p).toMatchObject({ ok: true });
    } finally {
      await srv.close();
    }
  });
});
