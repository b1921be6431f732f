// How a dump of lvsd is held against keepalived's: every line of ours must stand in theirs,
// in the same order (theirs may have more lines between).

/** The lines of `ours` not found in `theirs` after the previous line found; [] when all are. */
export function missingInOrder(ours: readonly string[], theirs: readonly string[]): string[] {
  const missing: string[] = [];
  let j = 0;
  for (const line of ours) {
    const at = theirs.indexOf(line, j);
    if (at < 0) missing.push(line);
    else j = at + 1;
  }
  return missing;
}
