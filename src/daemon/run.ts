// The long-running daemon. Wiring of VRRP, checkers and IPVS lands with the daemon issue;
// until then lvsd refuses to pretend: it says what it can do today and exits non-zero.
import type { Options } from './args.js';

export async function runDaemon(o: Options): Promise<number> {
  process.stderr.write(
    `lvsd: running the daemon is not implemented yet in this version; ` +
      `use 'lvsd -t -f ${o.useFile}' to check a configuration, or 'lvsd ipvs list' to read IPVS.\n`,
  );
  return 1;
}
