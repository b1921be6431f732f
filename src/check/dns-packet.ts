// The DNS query DNS_CHECK sends (RFC 1035 4.1): one question, recursion desired, class IN;
// and the checks keepalived makes on the answer: same id, QR set, RCODE 0.
export const DNS_TYPES: Readonly<Record<string, number>> = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28, RRSIG: 46, DNSKEY: 48,
};

export function encodeQuery(id: number, name: string, type: string): Buffer {
  const qtype = DNS_TYPES[type.toUpperCase()];
  if (qtype === undefined) throw new Error(`unknown DNS type ${type}`);
  const labels = name === '.' || name === '' ? [] : name.replace(/\.$/, '').split('.');
  const parts: Buffer[] = [];
  const head = Buffer.alloc(12);
  head.writeUInt16BE(id & 0xffff, 0);
  head.writeUInt16BE(0x0100, 2); // RD
  head.writeUInt16BE(1, 4); // QDCOUNT
  parts.push(head);
  for (const l of labels) {
    const b = Buffer.from(l, 'latin1');
    if (b.length === 0 || b.length > 63) throw new Error(`bad DNS label '${l}'`);
    parts.push(Buffer.from([b.length]), b);
  }
  const tail = Buffer.alloc(5);
  tail.writeUInt8(0, 0);
  tail.writeUInt16BE(qtype, 1);
  tail.writeUInt16BE(1, 3); // IN
  parts.push(tail);
  return Buffer.concat(parts);
}

export type AnswerVerdict = { kind: 'ignore'; why: string } | { kind: 'ok' } | { kind: 'error'; rcode: number };

export function judgeAnswer(id: number, msg: Buffer): AnswerVerdict {
  if (msg.length < 12) return { kind: 'ignore', why: 'too short' };
  if (msg.readUInt16BE(0) !== (id & 0xffff)) return { kind: 'ignore', why: 'id mismatch' };
  const flags = msg.readUInt16BE(2);
  if ((flags & 0x8000) === 0) return { kind: 'ignore', why: 'not a response' };
  const rcode = flags & 0xf;
  return rcode === 0 ? { kind: 'ok' } : { kind: 'error', rcode };
}
