import { describe, expect, it } from 'vitest';
import { parseIpLiteral } from '../../../../src/check/http/ip-literal.js';

describe('parseIpLiteral (inet_stosockaddr rules)', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1', 4],
    ['10.1.2.3/24', '10.1.2.3', 4],
    ['10.1.2.3-9', '10.1.2.3', 4],
    ['::1', '::1', 6],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1', 6],
    ['::ffff:127.0.0.1', '::ffff:127.0.0.1', 6],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1', 6],
  ] as const)('%s', (text, address, family) => expect(parseIpLiteral(text)).toEqual({ address, family }));
  it.each(['localhost', '127.0.0.01', '127.0.0', '256.1.1.1', '1.2.3.4.5', 'fe80::1%lo', ':::', ''])('rejects %j', (t) =>
    expect(parseIpLiteral(t)).toBeNull(),
  );
});
