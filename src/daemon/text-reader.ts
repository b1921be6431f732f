// The daemon's file reader for config comparisons (grammar/observed-fs.ts): lvsd's text addon
// (grammar/native/file-text.c) reads a file's bytes and makes its latin1 text over them, one
// copy: the changed file of a SIGHUP is parsed without the decode's second copy of 1 MB.
import { useFileReader, type FileReader } from '../../grammar/observed-fs.js';
import { addonLoader } from '../net/native-addon.js';

const loader = addonLoader<Required<FileReader>>('lvsd_text.node', 'LVSD_TEXT_ADDON');

/** Comparisons read through the text addon from now on (it loads now: a missing build throws). */
export function useTextAddon(): void {
  const addon = loader.load();
  useFileReader({ read: (p) => addon.read(p), prefill: (size) => addon.prefill(size) });
}
