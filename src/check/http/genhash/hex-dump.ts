// keepalived's dump_buffer() layout: 16 bytes a line, a decimal offset of at
// least four digits, " -" between the two halves, printable ASCII at the end.

const HEX = Array.from({ length: 256 }, (_, i) => ` ${i.toString(16).padStart(2, '0')}`);

export function hexDump(buf: Uint8Array): string {
  const count = buf.length;
  const padded = count % 16 === 0 ? count : count + (16 - (count % 16));
  let out = '';
  for (let line = 0; line < padded; line += 16) {
    out += `${String(line & 0xffff).padStart(4, '0')} `;
    let ascii = '';
    for (let i = line; i < line + 16; i++) {
      if (i < count) {
        const b = buf[i];
        out += HEX[b];
        ascii += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
      } else {
        out += '   ';
        ascii += ' ';
      }
      if (i === line + 7) out += ' -';
    }
    out += `   ${ascii}\n`;
  }
  return out;
}
