// Client / director / real-server namespaces joined by veth pairs, plus a TCP echo server
// and an interactive client, for traffic through IPVS virtual services.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Netns } from '../vm/netns.js';

let links = 0;

/** veth pair between two namespaces, addressed and up. Returns the interface names. */
export function link(a: Netns, aAddr: string, b: Netns, bAddr: string): [string, string] {
  const n = ++links;
  const an = `va${process.pid % 1000}x${n}`;
  const bn = `vb${process.pid % 1000}x${n}`;
  execFileSync('ip', ['link', 'add', an, 'netns', a.name, 'type', 'veth', 'peer', 'name', bn, 'netns', b.name]);
  a.exec('ip', ['addr', 'add', aAddr, 'dev', an]);
  b.exec('ip', ['addr', 'add', bAddr, 'dev', bn]);
  a.exec('ip', ['link', 'set', an, 'up']);
  b.exec('ip', ['link', 'set', bn, 'up']);
  return [an, bn];
}

export function sysctl(ns: Netns, key: string, value: string): void {
  ns.exec('sysctl', ['-q', '-w', `${key}=${value}`]);
}

/** Line-oriented process: resolves each line it prints, in order. */
export class LineProc {
  private lines: string[] = [];
  private waiters: Array<(l: string) => void> = [];
  private err = '';
  readonly child: ChildProcessWithoutNullStreams;
  constructor(ns: Netns, script: string, args: string[] = []) {
    this.child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '-e', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout }).on('line', (l) => {
      const w = this.waiters.shift();
      if (w) w(l);
      else this.lines.push(l);
    });
    this.child.stderr.on('data', (d: Buffer) => { this.err += d.toString(); });
  }
  next(timeoutMs = 60_000): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no line in ${timeoutMs} ms; stderr: ${this.err}`)), timeoutMs);
      this.waiters.push((x) => { clearTimeout(t); resolve(x); });
    });
  }
  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }
  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** Echo server: answers every line with "<name>:<line>", prints "ready" once listening. */
export function echoServer(ns: Netns, name: string, port: number): LineProc {
  return new LineProc(ns, `
    const net = require('net');
    net.createServer((s) => {
      let buf = '';
      s.on('data', (c) => { buf += c; let i; while ((i = buf.indexOf('\\n')) >= 0) { s.write(process.argv[1] + ':' + buf.slice(0, i) + '\\n'); buf = buf.slice(i + 1); } });
      s.on('error', () => {});
    }).listen(Number(process.argv[2]), '0.0.0.0', () => console.log('ready'));
  `, [name, String(port)]);
}

/**
 * Client: connects to host:port, then for every stdin line sends it and prints the reply;
 * prints "connected" first and "closed" if the connection ends.
 */
export function echoClient(ns: Netns, host: string, port: number): LineProc {
  return new LineProc(ns, `
    const net = require('net');
    const s = net.connect(Number(process.argv[2]), process.argv[1], () => console.log('connected'));
    let buf = '';
    s.on('data', (c) => { buf += c; let i; while ((i = buf.indexOf('\\n')) >= 0) { console.log(buf.slice(0, i)); buf = buf.slice(i + 1); } });
    s.on('error', (e) => { console.log('error ' + e.code); process.exit(1); });
    s.on('close', () => { console.log('closed'); process.exit(0); });
    require('readline').createInterface({ input: process.stdin }).on('line', (l) => s.write(l + '\\n'));
  `, [host, String(port)]);
}
