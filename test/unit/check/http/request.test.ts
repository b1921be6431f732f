import { describe, expect, it } from 'vitest';
import { buildGetRequest, REQUEST_BUFFER_LIMIT } from '../../../../src/check/http/request.js';

const base = { path: '/index.html', address: '10.0.0.1', port: 80, family: 4 as const };

describe('buildGetRequest (keepalived request bytes)', () => {
  it('HTTP/1.0 without Connection header, Host addr:port', () => {
    expect(buildGetRequest({ ...base, version: '1.0' }).toString('latin1')).toBe(
      'GET /index.html HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 10.0.0.1:80\r\n\r\n',
    );
  });
  it('1.0c and 1.1 add Connection: close before Host', () => {
    expect(buildGetRequest({ ...base, version: '1.0c' }).toString('latin1')).toBe(
      'GET /index.html HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: 10.0.0.1:80\r\n\r\n',
    );
    expect(buildGetRequest({ ...base, version: '1.1' }).toString('latin1')).toBe(
      'GET /index.html HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: 10.0.0.1:80\r\n\r\n',
    );
  });
  it('virtual host replaces address and port; IPv6 literal is bracketed', () => {
    expect(buildGetRequest({ ...base, version: '1.0', virtualHost: 'www.example.com' }).toString()).toContain(
      '\r\nHost: www.example.com\r\n\r\n',
    );
    expect(buildGetRequest({ ...base, address: '2001:db8::1', family: 6, version: '1.0' }).toString()).toContain(
      '\r\nHost: [2001:db8::1]:80\r\n\r\n',
    );
    expect(
      buildGetRequest({ ...base, address: '2001:db8::1', family: 6, version: '1.0', virtualHost: 'v6.example' }).toString(),
    ).toContain('\r\nHost: v6.example\r\n\r\n');
  });
  it('is cut at 2047 bytes like keepalived snprintf into its 2048-byte buffer', () => {
    const r = buildGetRequest({ ...base, path: `/${'a'.repeat(3000)}`, version: '1.0' });
    expect(r.length).toBe(REQUEST_BUFFER_LIMIT);
    expect(r.toString('latin1').startsWith('GET /aaa')).toBe(true);
  });
});
