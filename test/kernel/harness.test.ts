// The VM harness itself: real IPVS in the guest kernel, every scheduler usable, tunnels and
// namespaces work. Each test uses its own fresh network namespace.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNetns, requireVm, withNetns } from './vm/netns.js';

// The schedulers ipvsadm(8) documents that a stock Debian kernel builds as modules.
const REQUIRED_SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];

/** The booted kernel's build config, from the cached package (the host root is visible read-only). */
function kernelConfig(): string {
  const dir = process.env.LVSD_VM_KERNEL_DIR;
  if (!dir) throw new Error('LVSD_VM_KERNEL_DIR is not set: run through test/kernel/vm/run.mjs');
  const boot = join(dir, 'boot');
  const cfg = readdirSync(boot).find((f) => f.startsWith('config-'));
  if (!cfg) throw new Error(`no config-* in ${boot}`);
  return readFileSync(join(boot, cfg), 'utf8');
}

describe('kernel VM harness', () => {
  it('runs inside the VM with ip_vs loaded, also in a fresh namespace that is removed afterwards', async () => {
    requireVm();
    expect(existsSync('/proc/net/ip_vs')).toBe(true);
    expect(readFileSync('/proc/modules', 'utf8')).toMatch(/^ip_vs /m);
    const name = await withNetns('ipvs', (ns) => {
      expect(ns.exec('cat', ['/proc/net/ip_vs'])).toMatch(/^IP Virtual Server version \d+\.\d+\.\d+/);
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).toContain(ns.name);
      return ns.name;
    });
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(name);
  });

  it('writes only to a tmpfs-backed overlay, never to the host root', () => {
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' '));
    const at = (dir: string) => mounts.filter((m) => m[1] === dir).pop();
    expect(at('/')?.[2]).toBe('overlay');
    expect(at('/tmp')?.[2]).toBe('tmpfs');
    expect(at(process.env.LVSD_VM_SHARE ?? '')?.[2]).toBe('9p');
  });

  it('adds a virtual service with ipvsadm and lists it, in a table private to the namespace', async () => {
    await withNetns('svc', async (ns) => {
      ns.exec('ipvsadm', ['-A', '-t', '10.0.0.1:80', '-s', 'rr']);
      ns.exec('ipvsadm', ['-a', '-t', '10.0.0.1:80', '-r', '10.0.0.2:8080', '-m', '-w', '3']);
      const list = ns.exec('ipvsadm', ['-L', '-n']);
      expect(list).toMatch(/^TCP {2}10\.0\.0\.1:80 rr\s*$/m);
      expect(list).toMatch(/-> 10\.0\.0\.2:8080\s+Masq\s+3\s+0\s+0/);
      await withNetns('other', (other) => {
        expect(other.exec('ipvsadm', ['-L', '-n'])).not.toContain('10.0.0.1:80');
      });
    });
  });

  it('can use every scheduler the kernel config builds (fails on a missing module)', async () => {
    const config = kernelConfig();
    const built = [...config.matchAll(/^CONFIG_IP_VS_([A-Z]+)=[my]$/gm)].map((m) => m[1].toLowerCase())
      .filter((s) => !['nfct', 'ftp', 'debug'].includes(s)); // options, not schedulers
    for (const s of REQUIRED_SCHEDULERS) expect(built).toContain(s);
    await withNetns('sched', (ns) => {
      built.forEach((s, i) => ns.exec('ipvsadm', ['-A', '-u', `10.0.1.${i + 1}:53`, '-s', s]));
      const list = ns.exec('ipvsadm', ['-L', '-n']);
      built.forEach((s, i) => expect(list).toMatch(new RegExp(`^UDP {2}10\\.0\\.1\\.${i + 1}:53 ${s}\\s*$`, 'm')));
    });
    // The one scheduler keepalived knows that Debian does not build; say so if that changes.
    if (!built.includes('twos')) expect(config).toContain('# CONFIG_IP_VS_TWOS is not set');
  });

  it('creates ipip, gre and fou/gue tunnel endpoints', async () => {
    await withNetns('tun', (ns) => {
      ns.exec('ip', ['link', 'add', 'name', 'tunl-t', 'type', 'ipip', 'local', '10.9.0.1', 'remote', '10.9.0.2']);
      expect(ns.exec('ip', ['-d', 'link', 'show', 'tunl-t'])).toMatch(/ipip any remote 10\.9\.0\.2 local 10\.9\.0\.1/);
      ns.exec('ip', ['link', 'add', 'name', 'gre-t', 'type', 'gre', 'local', '10.9.0.1', 'remote', '10.9.0.3']);
      expect(ns.exec('ip', ['-d', 'link', 'show', 'gre-t'])).toMatch(/gre remote 10\.9\.0\.3 local 10\.9\.0\.1/);
      ns.exec('ip', ['fou', 'add', 'port', '5555', 'gue']);
      expect(ns.exec('ip', ['fou', 'show'])).toMatch(/port 5555 gue/);
    });
  });

  it('carries TCP between two namespaces over a veth pair', async () => {
    const a = createNetns('va');
    const b = createNetns('vb');
    try {
      execFileSync('ip', ['link', 'add', 'veth-a', 'netns', a.name, 'type', 'veth', 'peer', 'name', 'veth-b', 'netns', b.name]);
      a.exec('ip', ['addr', 'add', '192.0.2.1/24', 'dev', 'veth-a']);
      b.exec('ip', ['addr', 'add', '192.0.2.2/24', 'dev', 'veth-b']);
      a.exec('ip', ['link', 'set', 'veth-a', 'up']);
      b.exec('ip', ['link', 'set', 'veth-b', 'up']);
      const server = spawn('ip', ['netns', 'exec', b.name, process.execPath, '-e',
        "require('net').createServer((s)=>{s.end('hello from '+require('os').hostname());}).listen(7000,'192.0.2.2',()=>console.log('ready'))"],
        { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('server not ready in 60 s')), 60_000);
          server.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) { clearTimeout(t); resolve(); } });
          server.on('exit', (c) => { clearTimeout(t); reject(new Error(`server exited ${c}`)); });
        });
        const got = a.exec(process.execPath, ['-e',
          "const s=require('net').connect(7000,'192.0.2.2');let d='';s.on('data',(c)=>d+=c);s.on('end',()=>console.log(d))"]);
        expect(got.trim()).toBe('hello from lvsd-vm');
      } finally {
        server.kill('SIGKILL');
      }
    } finally {
      a.destroy();
      b.destroy();
    }
  });
});
