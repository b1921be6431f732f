#!/usr/bin/env bash
# VRRP failover, lvsd pair vs keepalived pair in the same run, on one bridged segment of
# network namespaces (seg: bridge; d1, d2: directors; obs: tcpdump observer).
# Each trial: d1 (priority 150) MASTER, d2 (priority 100) BACKUP, then kill -9 of d1's VRRP
# process. Measured per trial:
#   vip   kill -> VIP on d2 (rtnetlink event, `ip -ts monitor address` in d2)
#   garp  kill -> first gratuitous ARP from d2 seen by the observer (kernel capture time)
#   adv   last advert from d1 seen by the observer -> VIP on d2; compare with the backup's
#         Master_Down_Interval = 3 x advert_int + (256 - 100) / 256 x advert_int
# Then the idle cost of 100 instances (advert_int 1), a MASTER and a BACKUP director: CPU % and RSS, both daemons.
# Env: N trials per daemon and interval (default 20), ADVERTS (default "1 0.1"; 0.1 runs VRRPv3),
#      ONLY=lvsd|keepalived, IDLE_SECS (default 30), SKIP_IDLE=1.
# Measured 2026-11-26, the lvsd binary (-P) vs keepalived 2.2.7, 20 trials each, load ~1:
#   advert_int 1:   last advert -> VIP minus Master_Down_Interval: lvsd +2.3 ms median, jitter 4.1 ms
#                   (keepalived +0.8 / 2.0); kill -> VIP 3474.5 ms median (keepalived 3586.5)
#   advert_int 0.1: last advert -> VIP 362.6 ms (keepalived 361.9); kill -> VIP 315.8 ms
#   idle 100 instances: lvsd 0.83 % / 66 MiB (MASTER), keepalived 0.27 % / 3.4 MiB
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bench/failover.sh needs root (network namespaces)" >&2; exit 2; }
command -v keepalived >/dev/null || { echo "keepalived not installed (apt-get install keepalived)" >&2; exit 2; }
command -v tcpdump >/dev/null || { echo "tcpdump not installed (apt-get install tcpdump)" >&2; exit 2; }
[ -f build/Release/lvsd_packet.node ] || node "$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js" rebuild >/dev/null

mkdir -p node_modules/.cache
work=$(mktemp -d node_modules/.cache/failover-bench-XXXX)
work=$(cd "$work" && pwd)
trap 'rm -rf "$work"' EXIT

[ -f dist/bundle/lvsd.cjs ] || { echo "dist/ missing: npm run build first" >&2; exit 2; }

cat > "$work/bench.mjs" <<'EOF'
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [work, lvsd] = process.argv.slice(2);
const N = Number(process.env.N ?? 20);
const ADVERTS = (process.env.ADVERTS ?? '1 0.1').split(/\s+/).filter(Boolean);
const ONLY = process.env.ONLY ?? '';
const IDLE_SECS = Number(process.env.IDLE_SECS ?? 30);
const tag = String(process.pid % 10000);
const NS = { seg: `fob-s${tag}`, d1: `fob-a${tag}`, d2: `fob-b${tag}`, obs: `fob-o${tag}` };
const VIP = '10.89.0.100';
const procs = new Set();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function sh(...args) {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
function start(args, opts = {}) {
  const child = spawn(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  const p = { child, lines: [], waiters: [] };
  let buf = '';
  const on = (d) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { p.lines.push({ at: Date.now(), text: buf.slice(0, i) }); buf = buf.slice(i + 1); }
    for (const w of p.waiters.splice(0)) w();
  };
  child.stdout.on('data', on);
  child.stderr.on('data', on);
  procs.add(child);
  child.on('exit', () => { procs.delete(child); for (const w of p.waiters.splice(0)) w(); });
  return p;
}
async function waitLine(p, re, ms, from = 0) {
  const end = Date.now() + ms;
  for (let guard = 0; guard < 100000; guard++) {
    for (let i = from; i < p.lines.length; i++) if (re.test(p.lines[i].text)) return { ...p.lines[i], index: i };
    const left = end - Date.now();
    if (left <= 0) break;
    await new Promise((r) => { const t = setTimeout(r, Math.min(left, 100)); p.waiters.push(() => { clearTimeout(t); r(); }); });
  }
  throw new Error(`timeout waiting for ${re}:\n${p.lines.slice(-20).map((l) => l.text).join('\n')}`);
}
function kill(pid, sig) { try { process.kill(pid, sig); } catch { /* gone */ } }

function labDown() { for (const ns of Object.values(NS)) spawnSync('ip', ['netns', 'del', ns]); }
function labUp() {
  labDown();
  for (const ns of Object.values(NS)) { sh('ip', 'netns', 'add', ns); sh('ip', '-n', ns, 'link', 'set', 'lo', 'up'); }
  sh('ip', '-n', NS.seg, 'link', 'add', 'br0', 'type', 'bridge');
  sh('ip', '-n', NS.seg, 'link', 'set', 'br0', 'up');
  [NS.d1, NS.d2, NS.obs].forEach((ns, i) => {
    sh('ip', 'link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', NS.seg);
    sh('ip', '-n', NS.seg, 'link', 'set', `p${i}`, 'master', 'br0');
    sh('ip', '-n', NS.seg, 'link', 'set', `p${i}`, 'up');
    sh('ip', '-n', ns, 'addr', 'add', `10.89.0.${i + 1}/24`, 'dev', 'eth0');
    sh('ip', '-n', ns, 'link', 'set', 'eth0', 'up');
  });
}
const mac = (ns) => sh('ip', '-n', ns, '-o', 'link', 'show', 'dev', 'eth0').match(/link\/ether (\S+)/)[1];

function conf(prio, advert, instances = 1) {
  const version = Number(advert) < 1 ? 3 : 2;
  let s = `global_defs {\n  router_id bench\n  max_auto_priority -1\n}\n`;
  for (let i = 1; i <= instances; i++) {
    const vip = instances === 1 ? VIP : `10.89.${1 + Math.floor(i / 250)}.${i % 250 + 1}`;
    s += `vrrp_instance VI_${i} {\n  state BACKUP\n  interface eth0\n  virtual_router_id ${i === 1 && instances === 1 ? 51 : i}\n  version ${version}\n` +
      `  priority ${prio}\n  advert_int ${advert}\n  virtual_ipaddress {\n    ${vip}/24\n  }\n}\n`;
  }
  return s;
}

/** A director: the lvsd daemon or keepalived, VRRP only (-P), in a namespace. */
function startDirector(kind, ns, name, text) {
  const file = join(work, `${name}.conf`);
  writeFileSync(file, text);
  const pid = (s) => join(work, `${name}.${s}pid`);
  for (const s of ['', 'vrrp.', 'chk.']) if (existsSync(pid(s))) spawnSync('rm', ['-f', pid(s)]);
  if (kind === 'lvsd') {
    const p = start(['ip', 'netns', 'exec', ns, process.execPath, lvsd, '-n', '-P', '-G', '-f', file,
      '-p', pid(''), '-r', pid('vrrp.'), '-c', pid('chk.'), '--status-socket', 'none']);
    p.pids = () => [p.child.pid];
    p.master = /"event":"vrrp.transition".*"to":"MASTER"/;
    p.backup = /"event":"vrrp.transition".*"to":"BACKUP"/;
    return p;
  }
  const p = start(['ip', 'netns', 'exec', ns, 'keepalived', '-n', '-l', '--vrrp', '-f', file, '-p', pid(''), '-r', pid('vrrp.'), '-c', pid('chk.')]);
  // The VRRP child sends the adverts: kill -9 it first, then the parent.
  p.pids = () => ['vrrp.', ''].map((s) => (existsSync(pid(s)) ? Number(readFileSync(pid(s), 'utf8')) : 0)).filter((x) => x > 1);
  p.master = /Entering MASTER STATE/;
  p.backup = /Entering BACKUP STATE/;
  return p;
}
function stopDirector(p) { for (const pid of p.pids()) kill(pid, 'SIGKILL'); kill(p.child.pid, 'SIGKILL'); }

// `ip -ts monitor` prints local time: run it in UTC.
function parseTs(line) {
  const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})\]/.exec(line);
  return m ? Date.parse(`${m[1]}Z`) + Number(m[2]) / 1000 : null;
}
const tcpTs = (line) => Number(line.split(' ')[0]) * 1000;

async function trial(kind, advert, obs, mon, d1mac, d2mac) {
  for (const ns of [NS.d1, NS.d2]) spawnSync('ip', ['-n', ns, 'addr', 'del', `${VIP}/24`, 'dev', 'eth0']);
  const a = startDirector(kind, NS.d1, `${kind}-a`, conf(150, advert));
  await waitLine(a, a.master, 15000);
  const b = startDirector(kind, NS.d2, `${kind}-b`, conf(100, advert));
  await waitLine(b, b.backup, 15000);
  await sleep(Math.max(1500, 4 * 1000 * Number(advert)));
  const obsMark = obs.lines.length;
  const monMark = mon.lines.length;
  const killAt = Date.now();
  for (const pid of a.pids()) kill(pid, 'SIGKILL');
  const vipLine = await waitLine(mon, new RegExp(`^\\[[^\\]]+\\] (?!Deleted).*inet ${VIP.replace(/\./g, '\\.')}/24`), 10000, monMark);
  const vipAt = parseTs(vipLine.text);
  const garp = await waitLine(obs, new RegExp(`^\\d+\\.\\d+ ${d2mac} > ff:ff:ff:ff:ff:ff, ethertype ARP.*who-has ${VIP.replace(/\./g, '\\.')} `), 5000, obsMark);
  const advRe = new RegExp(`^\\d+\\.\\d+ ${d1mac} > .*VRRPv\\d, Advertisement`);
  const fromD1 = obs.lines.slice(0, garp.index).filter((l) => advRe.test(l.text));
  const lastAdv = tcpTs(fromD1[fromD1.length - 1].text);
  stopDirector(a);
  stopDirector(b);
  await sleep(300);
  return { vip: vipAt - killAt, garp: tcpTs(garp.text) - killAt, adv: vipAt - lastAdv };
}

function stats(xs) {
  const s = [...xs].sort((x, y) => x - y);
  const med = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { min: s[0], med, max: s[s.length - 1], jitter: s[s.length - 1] - s[0] };
}
const f = (x) => x.toFixed(1).padStart(8);

function cpuTicks(pid) {
  const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
function rssKb(pid) { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]); }

async function idle(kind) {
  labUp();
  // A pair: d1 (150) holds 100 instances as MASTER, d2 (100) listens to them as BACKUP.
  const m = startDirector(kind, NS.d1, `${kind}-idle-m`, conf(150, '1', 100));
  const deadline = Date.now() + 30000;
  const count = (d, re) => d.lines.filter((l) => re.test(l.text)).length;
  while (count(m, m.master) < 100 && Date.now() < deadline) await sleep(200);
  const b = startDirector(kind, NS.d2, `${kind}-idle-b`, conf(100, '1', 100));
  while (count(b, b.backup) < 100 && Date.now() < deadline + 20000) await sleep(200);
  await sleep(3000);
  const masters = count(m, m.master);
  const backups = count(b, b.backup);
  const pid = (d) => (kind === 'lvsd' ? d.child.pid : d.pids()[0]);
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const t0 = [cpuTicks(pid(m)), cpuTicks(pid(b))];
  await sleep(IDLE_SECS * 1000);
  const cpu = [cpuTicks(pid(m)) - t0[0], cpuTicks(pid(b)) - t0[1]].map((t) => (t / hz) / IDLE_SECS * 100);
  const rss = [rssKb(pid(m)), rssKb(pid(b))];
  // Still one master per instance: no flapping while measured.
  const flaps = count(b, b.master);
  stopDirector(m);
  stopDirector(b);
  await sleep(300);
  return { masters, backups, cpu, rss, flaps };
}

async function main() {
  const kinds = ['lvsd', 'keepalived'].filter((k) => !ONLY || k === ONLY);
  console.log(`VRRP failover: kill -9 of the master, ${N} trials per daemon and interval (priority 150 -> 100)`);
  for (const advert of ADVERTS) {
    const ai = Number(advert) * 1000;
    const mdi = 3 * ai + ((256 - 100) * ai) / 256;
    console.log(`\nadvert_int ${advert} s (VRRPv${Number(advert) < 1 ? 3 : 2}); backup Master_Down_Interval ${mdi.toFixed(1)} ms`);
    console.log(`${'daemon'.padEnd(11)}${'metric'.padEnd(30)}${'min'.padStart(8)}${'median'.padStart(8)}${'max'.padStart(8)}${'max-min'.padStart(8)}`);
    for (const kind of kinds) {
      labUp();
      const obs = start(['ip', 'netns', 'exec', NS.obs, 'tcpdump', '-i', 'eth0', '--immediate-mode', '-tt', '-nn', '-l', '-e', 'arp or ip proto 112']);
      const mon = start(['ip', '-n', NS.d2, '-ts', 'monitor', 'address'], { env: { ...process.env, TZ: 'UTC' } });
      await waitLine(obs, /listening on/, 5000);
      await sleep(300);
      const d1mac = mac(NS.d1);
      const d2mac = mac(NS.d2);
      const rows = [];
      for (let i = 0; i < N; i++) rows.push(await trial(kind, advert, obs, mon, d1mac, d2mac));
      kill(obs.child.pid, 'SIGKILL');
      kill(mon.child.pid, 'SIGKILL');
      const line = (label, xs) => { const s = stats(xs); console.log(`${kind.padEnd(11)}${label.padEnd(30)}${f(s.min)}${f(s.med)}${f(s.max)}${f(s.jitter)}`); };
      line('kill -> VIP on backup (ms)', rows.map((r) => r.vip));
      line('kill -> first GARP seen (ms)', rows.map((r) => r.garp));
      line('last advert -> VIP (ms)', rows.map((r) => r.adv));
      line('  minus Master_Down_Interval', rows.map((r) => r.adv - mdi));
    }
  }
  if (process.env.SKIP_IDLE !== '1') {
    console.log(`\nidle, 100 instances (advert_int 1), a MASTER director and a BACKUP director, ${IDLE_SECS} s:`);
    for (const kind of kinds) {
      const r = await idle(kind);
      const who = kind === 'keepalived' ? ' (VRRP child)' : '';
      console.log(`${kind.padEnd(11)}MASTER x${r.masters}: CPU ${r.cpu[0].toFixed(2)} % of one core, RSS ${(r.rss[0] / 1024).toFixed(1)} MiB${who}`);
      console.log(`${kind.padEnd(11)}BACKUP x${r.backups}: CPU ${r.cpu[1].toFixed(2)} % of one core, RSS ${(r.rss[1] / 1024).toFixed(1)} MiB${who}; backup -> MASTER transitions: ${r.flaps}`);
    }
  }
}

const cleanup = () => { for (const c of procs) kill(c.pid, 'SIGKILL'); spawnSync('sh', ['-c', `cat ${work}/*.pid 2>/dev/null | xargs -r kill -9 2>/dev/null`]); labDown(); };
process.on('SIGINT', () => { cleanup(); process.exit(130); });
process.on('SIGTERM', () => { cleanup(); process.exit(143); });
main().then(() => { cleanup(); }, (e) => { console.error(e); cleanup(); process.exit(1); });
EOF

node "$work/bench.mjs" "$work" "$PWD/dist/bundle/lvsd.cjs"
