// NetlinkIpvs's watchdog over a stand-in netlink socket: a request the kernel never answers fails
// with ETIMEDOUT, again after the client was idle (one timer for the client's life, re-armed),
// and an idle client's timer does not keep the process alive.
import { afterEach, describe, expect, it, vi } from 'vitest';

/** what the stand-in kernel does with requests that are not the controller's */
const kernel = vi.hoisted(() => ({ answer: false, sockets: 0 }));

vi.mock('netlink/dist/raw.js', async () => {
  const { EventEmitter } = await import('node:events');
  class RawNetlinkSocket extends EventEmitter {
    constructor() {
      super();
      kernel.sockets++;
    }
    unref(): void {}
    close(): void {}
    send(bytes: Buffer, _to: unknown, cb: (err?: Error) => void): void {
      // the datagram's last request: its type and sequence number
      let off = 0;
      let last = 0;
      while (off + 16 <= bytes.length) {
        last = off;
        off += (bytes.readUInt32LE(off) + 3) & ~3;
      }
      const type = bytes.readUInt16LE(last + 4);
      const seq = bytes.readUInt32LE(last + 8);
      const reply: Buffer[] = [];
      if (type === 0x10) {
        // the controller names the family: id 42 (CTRL_ATTR_FAMILY_ID, u16)
        const m = Buffer.alloc(16 + 4 + 8);
        m.writeUInt32LE(m.length, 0);
        m.writeUInt16LE(0x10, 4);
        m.writeUInt32LE(seq, 8);
        m.writeUInt16LE(6, 20);
        m.writeUInt16LE(1, 22);
        m.writeUInt16LE(42, 24);
        reply.push(m);
      }
      if (type === 0x10 || kernel.answer) {
        const ack = Buffer.alloc(16 + 4);
        ack.writeUInt32LE(ack.length, 0);
        ack.writeUInt16LE(2, 4);
        ack.writeUInt32LE(seq, 8);
        reply.push(ack);
      }
      cb();
      if (reply.length > 0) setImmediate(() => this.emit('message', Buffer.concat(reply)));
    }
  }
  return { RawNetlinkSocket };
});

const { NetlinkIpvs } = await import('../../../src/ipvs/client.js');
const { makeService } = await import('../../../src/ipvs/model.js');

const watchdogOf = (k: object): NodeJS.Timeout | undefined => (k as { watchdog?: NodeJS.Timeout }).watchdog;

describe('NetlinkIpvs watchdog', () => {
  afterEach(() => {
    kernel.answer = false;
  });

  it('fails an unanswered request with ETIMEDOUT, again after idle, and an idle timer holds nothing', async () => {
    const k = await NetlinkIpvs.open({ timeoutMs: 40 });
    try {
      const svc = makeService({ addr: '10.0.0.1', port: 80 });
      const t0 = performance.now();
      await expect(k.addService(svc)).rejects.toMatchObject({ errno: 110 });
      const first = watchdogOf(k);
      expect(first).toBeDefined();
      // idle now: the timer does not keep the process alive
      expect(first?.hasRef()).toBe(false);
      await new Promise((r) => setTimeout(r, 120));
      // a request after the timer fired idle: re-armed, the same timer, and it fires again
      await expect(k.editService(svc)).rejects.toMatchObject({ errno: 110 });
      expect(watchdogOf(k)).toBe(first);
      expect(performance.now() - t0).toBeLessThan(5000);
      // answered requests resolve and leave the timer unheld
      kernel.answer = true;
      await k.addService(svc);
      expect(watchdogOf(k)?.hasRef()).toBe(false);
    } finally {
      k.close();
    }
    expect(watchdogOf(k)).toBeUndefined();
  });
});
