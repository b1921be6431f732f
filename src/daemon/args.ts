// keepalived's command line, parsed the way getopt_long does (short options may be bundled,
// `-fFILE`, `-f FILE`, `--use-file=FILE`, `--use-file FILE`).

export interface Options {
  useFile: string;
  vrrpOnly: boolean;
  checkOnly: boolean;
  noBfd: boolean;
  all: boolean;
  logConsole: boolean;
  logDetail: boolean;
  logFacility?: string;
  noSyslog: boolean;
  umask?: string;
  releaseVips: boolean;
  dontReleaseVrrp: boolean;
  dontReleaseIpvs: boolean;
  dontRespawn: boolean;
  dontFork: boolean;
  dumpConf: boolean;
  pidFile?: string;
  vrrpPidFile?: string;
  checkersPidFile?: string;
  bfdPidFile?: string;
  addressMonitoring: boolean;
  snmp: boolean;
  snmpAgentSocket?: string;
  namespace?: string;
  coreDump: boolean;
  coreDumpPattern?: string;
  allConfig: boolean;
  configId?: string;
  signum?: string;
  /** -t given; the optional value is a log file for the report */
  configTest: boolean;
  configTestLog?: string;
  version: boolean;
  help: boolean;
  /** lvsd's own: where the status socket listens ('none': no socket) */
  statusSocket?: string;
  /** lvsd's own: HOST:PORT of the Prometheus endpoint (overrides global_defs lvsd_metrics_listen) */
  metricsListen?: string;
}

interface OptDef {
  short?: string;
  long: string;
  key: keyof Options;
  arg: 'none' | 'required' | 'optional';
}

const DEFS: OptDef[] = [
  { short: 'f', long: 'use-file', key: 'useFile', arg: 'required' },
  { short: 'P', long: 'vrrp', key: 'vrrpOnly', arg: 'none' },
  { short: 'C', long: 'check', key: 'checkOnly', arg: 'none' },
  { short: 'B', long: 'no_bfd', key: 'noBfd', arg: 'none' },
  { long: 'all', key: 'all', arg: 'none' },
  { short: 'l', long: 'log-console', key: 'logConsole', arg: 'none' },
  { short: 'D', long: 'log-detail', key: 'logDetail', arg: 'none' },
  { short: 'S', long: 'log-facility', key: 'logFacility', arg: 'required' },
  { short: 'G', long: 'no-syslog', key: 'noSyslog', arg: 'none' },
  { short: 'u', long: 'umask', key: 'umask', arg: 'required' },
  { short: 'X', long: 'release-vips', key: 'releaseVips', arg: 'none' },
  { short: 'V', long: 'dont-release-vrrp', key: 'dontReleaseVrrp', arg: 'none' },
  { short: 'I', long: 'dont-release-ipvs', key: 'dontReleaseIpvs', arg: 'none' },
  { short: 'R', long: 'dont-respawn', key: 'dontRespawn', arg: 'none' },
  { short: 'n', long: 'dont-fork', key: 'dontFork', arg: 'none' },
  { short: 'd', long: 'dump-conf', key: 'dumpConf', arg: 'none' },
  { short: 'p', long: 'pid', key: 'pidFile', arg: 'required' },
  { short: 'r', long: 'vrrp_pid', key: 'vrrpPidFile', arg: 'required' },
  { short: 'c', long: 'checkers_pid', key: 'checkersPidFile', arg: 'required' },
  { short: 'a', long: 'address-monitoring', key: 'addressMonitoring', arg: 'none' },
  { short: 'b', long: 'bfd_pid', key: 'bfdPidFile', arg: 'required' },
  { short: 'x', long: 'snmp', key: 'snmp', arg: 'none' },
  { short: 'A', long: 'snmp-agent-socket', key: 'snmpAgentSocket', arg: 'required' },
  { short: 's', long: 'namespace', key: 'namespace', arg: 'required' },
  { short: 'm', long: 'core-dump', key: 'coreDump', arg: 'none' },
  { short: 'M', long: 'core-dump-pattern', key: 'coreDumpPattern', arg: 'optional' },
  { short: 'e', long: 'all-config', key: 'allConfig', arg: 'none' },
  { short: 'i', long: 'config-id', key: 'configId', arg: 'required' },
  { long: 'signum', key: 'signum', arg: 'required' },
  { short: 't', long: 'config-test', key: 'configTest', arg: 'optional' },
  { short: 'v', long: 'version', key: 'version', arg: 'none' },
  { short: 'h', long: 'help', key: 'help', arg: 'none' },
  { long: 'status-socket', key: 'statusSocket', arg: 'required' },
  { long: 'metrics-listen', key: 'metricsListen', arg: 'required' },
];

export const DEFAULT_CONF = '/etc/keepalived/keepalived.conf';

export class ArgError extends Error {}

/** Every flag off, the default file; options with values stay absent until given. */
function defaults(): Options {
  const flags = Object.fromEntries(DEFS.filter((d) => d.arg === 'none').map((d) => [d.key, false]));
  return { ...flags, useFile: DEFAULT_CONF, configTest: false, coreDump: false } as Options;
}

function set(o: Options, def: OptDef, value: string | undefined): void {
  const rec = o as unknown as Record<string, unknown>;
  if (def.key === 'configTest') {
    o.configTest = true;
    if (value !== undefined) o.configTestLog = value;
  } else if (def.key === 'coreDumpPattern') {
    o.coreDump = true;
    o.coreDumpPattern = value ?? 'core';
  } else if (def.arg === 'none') rec[def.key] = true;
  else rec[def.key] = value;
}

export function parseArgs(argv: readonly string[]): Options {
  const o = defaults();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const matches = DEFS.filter((d) => d.long === name);
      const def = matches[0] ?? (() => {
        const pre = DEFS.filter((d) => d.long.startsWith(name));
        if (pre.length === 1) return pre[0];
        throw new ArgError(pre.length ? `option '--${name}' is ambiguous` : `unrecognized option '--${name}'`);
      })();
      let value = eq < 0 ? undefined : a.slice(eq + 1);
      if (def.arg === 'none' && value !== undefined) throw new ArgError(`option '--${def.long}' doesn't allow an argument`);
      if (def.arg === 'required' && value === undefined) {
        if (i + 1 >= argv.length) throw new ArgError(`option '--${def.long}' requires an argument`);
        value = argv[++i];
      }
      set(o, def, value);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const def = DEFS.find((d) => d.short === a[j]);
        if (!def) throw new ArgError(`invalid option -- '${a[j]}'`);
        if (def.arg === 'none') { set(o, def, undefined); continue; }
        let value: string | undefined = a.slice(j + 1) || undefined;
        if (value === undefined && def.arg === 'required') {
          if (i + 1 >= argv.length) throw new ArgError(`option requires an argument -- '${a[j]}'`);
          value = argv[++i];
        }
        set(o, def, value);
        break;
      }
      continue;
    }
    throw new ArgError(`unexpected argument '${a}'`);
  }
  return o;
}

export const USAGE = `Usage: lvsd [OPTION...]
       lvsd status [--json] [--socket PATH]  (asks the running daemon)
       lvsd ipvs {list|save|restore} [...]   (IPVS table, ipvsadm-compatible output)
  -f, --use-file=FILE          Use the specified configuration file
                                default '${DEFAULT_CONF}'
  -P, --vrrp                   Only run with VRRP subsystem
  -C, --check                  Only run with Health-checker subsystem
  -l, --log-console            Log messages to local console
  -D, --log-detail             Detailed log messages
  -S, --log-facility=([0-7]|local[0-7]|user|daemon)
  -n, --dont-fork              Don't fork the daemon process
  -d, --dump-conf              Dump the configuration data (JSON)
  -p, --pid=FILE               Use specified pidfile for parent process
  -r, --vrrp_pid=FILE          Use specified pidfile for VRRP child process
  -c, --checkers_pid=FILE      Use specified pidfile for checkers child process
  -e, --all-config             Error if any configuration file missing (same as includea)
  -i, --config-id id           Skip any configuration lines beginning '@' that don't match id
                                or any lines beginning @^ that do match.
                                The config-id defaults to the node name if option not used
  -t, --config-test[=LOG_FILE] Check the configuration for obvious errors, output to
                                stderr by default
  -I, --dont-release-ipvs      Don't remove lvsd's IPVS services on daemon stop
      --signum=SIGFUNC         Print the signal number for STOP, RELOAD, DATA, STATS, JSON
      --status-socket=PATH     Status socket for 'lvsd status' (default /run/lvsd/lvsd.sock; 'none': off)
      --metrics-listen=HOST:PORT  Serve Prometheus metrics at http://HOST:PORT/metrics
  -x, --snmp                   Not supported by lvsd (accepted, then refused with a message)
  -v, --version                Display the version number
  -h, --help                   Display this help message
`;
