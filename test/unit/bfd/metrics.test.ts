// BFD in the Prometheus exposition (src/daemon/metrics.ts renderBfd): from the bfd field of the
// status snapshot, one-hot state, packets, transitions, drops with every reason; nothing at all
// without sessions. The live endpoint is read in test/netns/bfd/daemon-track.test.ts.
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/daemon/metrics.js';
import { DROP_REASONS } from '../../../src/bfd/packet.js';
import type { BfdInstanceStatus } from '../../../src/bfd/runtime.js';
import { sampleStatus } from '../daemon/status-fixture.js';

const session = (name: string, over: Partial<BfdInstanceStatus> = {}): BfdInstanceStatus => ({
  name, state: 'Up', up: true, diag: 0, localDiscr: 1, remoteDiscr: 2, txIntervalUs: 100_000, detectTimeUs: 300_000, received: 40, sent: 42,
  transitions: { AdminDown: 0, Down: 1, Init: 2, Up: 2 }, drops: { short: 3, ttl: 1 }, ...over,
});

/** Sample lines of one family, as "name{labels} value". */
const lines = (text: string, family: string): string[] => text.split('\n').filter((l) => l.startsWith(`${family}{`) || l.startsWith(`${family} `));

describe('BFD metrics', () => {
  const text = new Metrics().render({ ...sampleStatus(), bfd: [session('PEER'), session('B"2', { state: 'Down', up: false, detectTimeUs: 0, drops: {} })] });

  it('state is one gauge per state, 1 for the current one', () => {
    expect(text).toContain('# TYPE lvsd_bfd_session_state gauge');
    expect(lines(text, 'lvsd_bfd_session_state')).toEqual([
      'lvsd_bfd_session_state{instance="PEER",state="AdminDown"} 0',
      'lvsd_bfd_session_state{instance="PEER",state="Down"} 0',
      'lvsd_bfd_session_state{instance="PEER",state="Init"} 0',
      'lvsd_bfd_session_state{instance="PEER",state="Up"} 1',
      'lvsd_bfd_session_state{instance="B\\"2",state="AdminDown"} 0',
      'lvsd_bfd_session_state{instance="B\\"2",state="Down"} 1',
      'lvsd_bfd_session_state{instance="B\\"2",state="Init"} 0',
      'lvsd_bfd_session_state{instance="B\\"2",state="Up"} 0',
    ]);
  });

  it('packets by direction, transitions by state entered, detection time in seconds', () => {
    expect(text).toContain('# TYPE lvsd_bfd_packets_total counter');
    expect(lines(text, 'lvsd_bfd_packets_total').slice(0, 2)).toEqual([
      'lvsd_bfd_packets_total{instance="PEER",direction="sent"} 42',
      'lvsd_bfd_packets_total{instance="PEER",direction="received"} 40',
    ]);
    expect(lines(text, 'lvsd_bfd_transitions_total').slice(0, 4)).toEqual([
      'lvsd_bfd_transitions_total{instance="PEER",state="AdminDown"} 0',
      'lvsd_bfd_transitions_total{instance="PEER",state="Down"} 1',
      'lvsd_bfd_transitions_total{instance="PEER",state="Init"} 2',
      'lvsd_bfd_transitions_total{instance="PEER",state="Up"} 2',
    ]);
    expect(lines(text, 'lvsd_bfd_detect_time_seconds')).toEqual([
      'lvsd_bfd_detect_time_seconds{instance="PEER"} 0.3',
      'lvsd_bfd_detect_time_seconds{instance="B\\"2"} 0',
    ]);
  });

  it('drops: every reason of every session, zeros included', () => {
    const d = lines(text, 'lvsd_bfd_drops_total');
    expect(d).toHaveLength(2 * DROP_REASONS.length);
    expect(d).toContain('lvsd_bfd_drops_total{instance="PEER",reason="short"} 3');
    expect(d).toContain('lvsd_bfd_drops_total{instance="PEER",reason="ttl"} 1');
    expect(d).toContain('lvsd_bfd_drops_total{instance="PEER",reason="no-session"} 0');
    expect(d.filter((l) => l.startsWith('lvsd_bfd_drops_total{instance="B\\"2"')).every((l) => l.endsWith(' 0'))).toBe(true);
  });

  it('refusals daemon-wide: every reason once, unknown senders included; absent without the count', () => {
    const refused = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<(typeof DROP_REASONS)[number], number>;
    refused['no-session'] = 7;
    const withAll = new Metrics().render({ ...sampleStatus(), bfd: [session('PEER')], bfdRefused: refused });
    const r = lines(withAll, 'lvsd_bfd_refused_total');
    expect(r).toHaveLength(DROP_REASONS.length);
    expect(r).toContain('lvsd_bfd_refused_total{reason="no-session"} 7');
    expect(r.filter((l) => !l.endsWith(' 0'))).toEqual(['lvsd_bfd_refused_total{reason="no-session"} 7']);
    expect(text).not.toContain('lvsd_bfd_refused_total');
  });

  it('no sessions, no BFD families', () => {
    expect(new Metrics().render(sampleStatus())).not.toContain('lvsd_bfd_');
    expect(new Metrics().render({ ...sampleStatus(), bfd: [] })).not.toContain('lvsd_bfd_');
  });
});
