// An IPVS request that failed: keeps the kernel's errno and names the object.
import { constants } from 'node:os';

const ERRNO_NAME = new Map<number, string>();
for (const [name, num] of Object.entries(constants.errno)) {
  if (!ERRNO_NAME.has(num)) ERRNO_NAME.set(num, name);
}

export function errnoName(errno: number): string {
  return ERRNO_NAME.get(errno) ?? `E${errno}`;
}

/** Explanations ipvsadm users know, per command kind and errno. */
const HINTS: Record<string, Record<string, string>> = {
  addService: { EEXIST: 'service already exists', ENOENT: 'scheduler or persistence engine not found' },
  editService: { ESRCH: 'no such service', ENOENT: 'scheduler or persistence engine not found' },
  deleteService: { ESRCH: 'no such service' },
  addDest: { ESRCH: 'service not defined', EEXIST: 'destination already exists' },
  editDest: { ESRCH: 'service not defined', ENOENT: 'no such destination' },
  deleteDest: { ESRCH: 'service not defined', ENOENT: 'no such destination' },
  startDaemon: { EEXIST: 'daemon has already run' },
  stopDaemon: { ESRCH: 'no daemon is running' },
};

export class IpvsError extends Error {
  readonly errno: number;
  readonly code: string;
  readonly op: string;
  readonly object: string;
  constructor(op: string, object: string, errno: number, detail?: string) {
    const code = errnoName(errno);
    const hint = detail ?? HINTS[op]?.[code];
    super(`ipvs ${op} ${object}: ${code}${hint ? ` (${hint})` : ''}`);
    this.name = 'IpvsError';
    this.errno = errno;
    this.code = code;
    this.op = op;
    this.object = object;
  }
}
