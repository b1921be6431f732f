// Log fields of a failed IPVS request: the kernel's errno and its name where known.
import { IpvsError } from '../ipvs/errors.js';

export const errFields = (e: unknown): Record<string, unknown> => ({
  errno: e instanceof IpvsError ? e.errno : typeof e === 'object' && e !== null && 'errno' in e ? (e as { errno: unknown }).errno : undefined,
  code: e instanceof IpvsError ? e.code : undefined,
  err: e instanceof Error ? e.message : String(e),
});

/** The request failed with this errno name (e.g. ESRCH). */
export const isIpvsErrno = (e: unknown, code: string): boolean => e instanceof IpvsError && e.code === code;
