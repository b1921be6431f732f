// genhash's command line, accepted and rejected exactly as keepalived 2.2.7
// does (check_genhash.c), including its messages. Extensions: -H/--hash to
// pick another digest (older genhash releases had it), checked only where
// keepalived would reject the option anyway.
import { getoptLong, type LongOption } from './getopt.js';
import { strtol, strtoul } from '../c-number.js';
import { parseIpLiteral, type IpLiteral } from '../ip-literal.js';
import type { HttpVersion } from '../request.js';

export interface GenhashOptions {
  readonly ssl: boolean;
  readonly sni: boolean;
  readonly server: IpLiteral;
  readonly port: number;
  readonly url: string;
  readonly virtualHost: string | null;
  readonly verbose: boolean;
  readonly version: HttpVersion;
  /** keepalived keeps the timeout in an unsigned int of microseconds. */
  readonly timeoutUsec: number;
  readonly fwmark: number;
  readonly hash: string;
}

export type GenhashArgs =
  | { readonly ok: true; readonly options: GenhashOptions }
  /** messages go to stderr, then the usage text; exit status 1. */
  | { readonly ok: false; readonly messages: readonly string[] };

/** UINT_MAX microseconds: genhash's default when -t is not given. */
export const DEFAULT_TIMEOUT_USEC = 0xffffffff;

export const HASHES: readonly string[] = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

const LONGS: readonly LongOption[] = [
  { name: 'help', hasArg: false, val: 'h' },
  { name: 'verbose', hasArg: false, val: 'v' },
  { name: 'use-ssl', hasArg: false, val: 'S' },
  { name: 'use-sni', hasArg: false, val: 'I' },
  { name: 'server', hasArg: true, val: 's' },
  { name: 'use-virtualhost', hasArg: true, val: 'V' },
  { name: 'port', hasArg: true, val: 'p' },
  { name: 'url', hasArg: true, val: 'u' },
  { name: 'fwmark', hasArg: true, val: 'm' },
  { name: 'protocol', hasArg: true, val: 'P' },
  { name: 'timeout', hasArg: true, val: 't' },
  { name: 'hash', hasArg: true, val: 'H', exactOnly: true },
];
const SHORTS = 'hvSs:V:p:u:m:P:t:IH:';

/** strspn(s, " \t"). */
function skipBlankTab(s: string): number {
  let i = 0;
  while (s[i] === ' ' || s[i] === '\t') i++;
  return i;
}

export function parseGenhashArgs(args: readonly string[], env: NodeJS.ProcessEnv = {}): GenhashArgs {
  const messages: string[] = [];
  // keepalived's "trivial sanity check": argc <= 2.
  if (args.length <= 1) return { ok: false, messages };
  let ssl = false;
  let sni = false;
  let server: IpLiteral | null = null;
  let port: number | null = null;
  let url: string | null = null;
  let virtualHost: string | null = null;
  let verbose = false;
  let version: HttpVersion = '1.0';
  let timeoutUsec = DEFAULT_TIMEOUT_USEC;
  let fwmark = 0;
  let hash = 'md5';
  let bad = false;
  let fatal = false;

  const { operands, stopped } = getoptLong(
    args,
    { shorts: SHORTS, longs: LONGS, requireOrder: env.POSIXLY_CORRECT !== undefined },
    (e) => {
      const reject = (msg: string): boolean => {
        messages.push(msg);
        fatal = true;
        return false;
      };
      if (e.kind === 'unknown') {
        messages.push(
          e.optopt !== '' && e.curArg[1] !== '-' ? `Unknown option -${e.optopt}` : `Unknown option ${e.curArg}`,
        );
        bad = true;
        return true;
      }
      if (e.kind === 'missing') {
        // keepalived crashes on a missing long-option argument; say what it meant to.
        messages.push(
          e.longName === null || e.curArg[1] !== '-'
            ? `Missing parameter for option -${e.optopt}`
            : `Missing parameter for option --${e.longName}`,
        );
        bad = true;
        return true;
      }
      const arg = e.arg ?? '';
      switch (e.val) {
        case 'h':
          bad = true;
          return true;
        case 'v':
          verbose = true;
          return true;
        case 'S':
          ssl = true;
          return true;
        case 'I':
          sni = true;
          return true;
        case 's':
          server = parseIpLiteral(arg);
          return server === null ? reject(`server should be an IP, not ${arg}`) : true;
        case 'V':
          virtualHost = arg;
          return true;
        case 'p': {
          const { value, end } = strtol(arg);
          if (end !== arg.length || value <= 0n || value > 65535n) return reject(`invalid port number '${arg}'`);
          port = Number(value);
          return true;
        }
        case 'u':
          url = arg;
          return true;
        case 'm': {
          const start = skipBlankTab(arg);
          const { value, end } = strtoul(arg, start);
          if (end !== arg.length || arg[start] === '-' || arg[start] === ' ') return reject(`invalid fwmark '${arg}'`);
          fwmark = Number(BigInt.asUintN(32, value));
          return true;
        }
        case 'P':
          if (arg === '1.0') version = '1.0';
          else if (arg === '1.0c' || arg === '1.0C') version = '1.0c';
          else if (arg === '1.1') version = '1.1';
          else return reject(`invalid HTTP protocol version '${arg}'`);
          return true;
        case 't': {
          const start = skipBlankTab(arg);
          const { value, end } = strtoul(arg, start);
          if (end !== arg.length || arg[start] === '-' || start === arg.length) return reject(`invalid timeout '${arg}'`);
          // (unsigned)strtoul(...) * TIMER_HZ, in 32-bit unsigned arithmetic.
          timeoutUsec = Number(BigInt.asUintN(32, BigInt.asUintN(32, value) * 1000000n));
          return true;
        }
        case 'H':
          if (!HASHES.includes(arg)) return reject(`invalid hash '${arg}'`);
          hash = arg;
          return true;
        default:
          return reject(`Unknown option \`-${e.val}\``);
      }
    },
  );
  if (fatal || stopped) return { ok: false, messages };
  if (bad) return { ok: false, messages };
  if (operands.length > 0) {
    messages.push(`Unexpected argument(s): ${operands.join(' ')}`);
    return { ok: false, messages };
  }
  if (server === null || port === null || url === null) return { ok: false, messages };
  return {
    ok: true,
    options: { ssl, sni, server, port, url, virtualHost, verbose, version, timeoutUsec, fwmark, hash },
  };
}
