// lvsd's version, shared by `--version`, the status snapshot and the dumps.
export const VERSION = '0.1.0';
