// The daemon's file reader for config comparisons (grammar/observed-fs.ts): lvsd's text addon
// (grammar/native/file-text.c) reads a file's bytes and makes its latin1 text over them, one
// copy: the changed file of a SIGHUP is parsed without the decode's second copy of 1 MB.
import { useFileReader } from '../../grammar/observed-fs.js';
import { addonLoader } from '../net/native-addon.js';

type Views = [ArrayBuffer, string | undefined];
interface TextAddon {
  read(path: string): Views;
  copy(bytes: Buffer): Views;
  prefill(size: number): void;
}
const loader = addonLoader<TextAddon>('lvsd_text.node', 'LVSD_TEXT_ADDON');

// (Buffer.from over the ArrayBuffer: a Buffer with the map every Buffer has, see file-text.c)
const asBuffer = ([ab, text]: Views): [Buffer, string | undefined] => [Buffer.from(ab), text];

/** Comparisons read through the text addon from now on (it loads now: a missing build throws). */
export function useTextAddon(): void {
  const addon = loader.load();
  useFileReader({ read: (p) => asBuffer(addon.read(p)), copy: (b) => asBuffer(addon.copy(b)), prefill: (size) => addon.prefill(size) });
}
