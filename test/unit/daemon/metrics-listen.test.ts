import { describe, expect, it } from 'vitest';
import { metricsListen, parseListen } from '../../../src/daemon/metrics-listen.js';

describe('metrics listen address', () => {
  it('parses PORT, HOST:PORT, [V6]:PORT and HOST PORT; a bare port is loopback only', () => {
    expect(parseListen('9650')).toEqual({ host: '127.0.0.1', port: 9650 });
    expect(parseListen('0.0.0.0:9100')).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(parseListen('[::1]:9100')).toEqual({ host: '::1', port: 9100 });
    expect(parseListen('127.0.0.2 81')).toEqual({ host: '127.0.0.2', port: 81 });
    for (const bad of ['', 'x', '70000', '1.2.3.4:', ':80', '::1:80', '0']) expect(parseListen(bad)).toBeUndefined();
  });

  it('the command line wins over global_defs; nothing given means off', () => {
    expect(metricsListen('127.0.0.1:1', { lvsd_metrics_listen: '9650' })).toEqual({ host: '127.0.0.1', port: 1 });
    expect(metricsListen(undefined, { lvsd_metrics_listen: '9650' })).toEqual({ host: '127.0.0.1', port: 9650 });
    expect(metricsListen(undefined, { lvsd_metrics_listen: { host: '::1', port: 9 } })).toEqual({ host: '::1', port: 9 });
    expect(metricsListen(undefined, {})).toBeUndefined();
    expect(metricsListen(undefined, undefined)).toBeUndefined();
  });
});
