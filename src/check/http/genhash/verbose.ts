// genhash -v: the per-read blocks keepalived prints while it reads a response.
import type { ResponseObserver } from '../response-stream.js';
import type { FdWriter } from './output.js';
import { hexDump } from './hex-dump.js';

const delim = (title: string): string => `-----------------------[${title}]-----------------------\n`;
export const HTTP_HEADER_HEXA = delim('    HTTP Header Buffer    ');
export const HTTP_HEADER_ASCII = delim(' HTTP Header Ascii Buffer ');
export const HTML_HEADER_HEXA = delim('        HTML Buffer        ');
export const HTML_HASH = delim('    HTML hash resulting    ');
export const HTML_HASH_FINAL = delim(' HTML hash final resulting ');

export function verboseObserver(out: FdWriter): ResponseObserver {
  return {
    headerRead(): void {
      out.text(HTTP_HEADER_HEXA);
    },
    header(bytes: Buffer): void {
      out.text(hexDump(bytes));
      out.text(HTTP_HEADER_ASCII);
      // printf("%.*s\n"): stops at a NUL byte.
      const nul = bytes.indexOf(0);
      out.bytes(Buffer.from(nul < 0 ? bytes : bytes.subarray(0, nul)));
      out.text('\n');
    },
    body(bytes: Buffer, first: boolean): void {
      if (first) out.text(HTML_HEADER_HEXA);
      out.text(hexDump(bytes));
    },
  };
}

export function writeDigestDump(out: FdWriter, digest: Buffer): void {
  out.text('\n');
  out.text(HTML_HASH);
  out.text(hexDump(digest));
  out.text(HTML_HASH_FINAL);
}
