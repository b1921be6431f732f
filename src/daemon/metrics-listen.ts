// Where the Prometheus endpoint listens: `--metrics-listen HOST:PORT`, else global_defs
// lvsd_metrics_listen (lvsd's own keyword: "PORT", "HOST:PORT", "[V6]:PORT" or "HOST PORT").
// Off when neither is given; a bare port binds 127.0.0.1 only.
export interface Listen {
  host: string;
  port: number;
}

export function parseListen(text: string): Listen | undefined {
  const t = text.trim();
  let host = '127.0.0.1';
  let portText = t;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(t);
  const sp = /^(\S+)\s+(\d+)$/.exec(t);
  if (v6) [host, portText] = [v6[1], v6[2]];
  else if (sp) [host, portText] = [sp[1], sp[2]];
  else if (t.includes(':') && t.indexOf(':') === t.lastIndexOf(':')) [host, portText] = t.split(':') as [string, string];
  if (!/^\d+$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535 || host === '') return undefined;
  return { host, port };
}

export function metricsListen(cli: string | undefined, globalDefs: Record<string, unknown> | undefined): Listen | undefined {
  if (cli !== undefined) return parseListen(cli);
  const v = globalDefs?.lvsd_metrics_listen;
  if (typeof v === 'string' || typeof v === 'number') return parseListen(String(v));
  if (typeof v === 'object' && v !== null) {
    const o = v as { host?: unknown; port?: unknown };
    if (typeof o.port === 'number') return { host: typeof o.host === 'string' ? o.host : '127.0.0.1', port: o.port };
  }
  return undefined;
}
