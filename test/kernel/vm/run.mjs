#!/usr/bin/env node
// Boots Debian's stock kernel under qemu (TCG) with the host root read-only over 9p and runs
// one command inside: by default the kernel test suite (vitest on test/kernel/, or on the
// files/filters given).
//
//   node test/kernel/vm/run.mjs [--report=FILE] [--timeout=SECONDS] [--rw=DIR]... [filters...] [-- cmd args...]
// --rw=DIR makes that host folder writable from the guest (e.g. benchmark results).
//
// Exit status is the guest command's. Fails loudly when the kernel cannot be fetched, the VM
// does not boot, or no status comes back in time. Guest console output goes to stdout.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, realpathSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { StringDecoder } from 'node:string_decoder';
import { obtainKernel } from './kernel.mjs';
import { obtainInitramfs } from './initramfs.mjs';
import { bootableKernel } from './vmlinux.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = realpathSync(join(here, '../../..'));
const cacheRoot = process.env.LVSD_VM_CACHE ? resolve(process.env.LVSD_VM_CACHE) : join(repo, '.cache');
const BOOT_TIMEOUT_S = 120;
const GUEST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const START_MARK = 'lvsd-vm: guest command start';

function fail(msg) {
  console.error(`\nrun.mjs: FAILED: ${msg}`);
  process.exit(125);
}

function parseArgs(argv) {
  // One vCPU per host core (MTTCG runs each on its own thread), at most 4.
  const smp = Math.max(1, Math.min(4, availableParallelism()));
  const opts = { report: null, timeout: null, cmd: null, mem: 2048, smp, files: [], rw: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { opts.cmd = argv.slice(i + 1); break; }
    if (!a.startsWith('--')) { opts.files.push(a); continue; }
    const rw = a.match(/^--rw=(.+)$/);
    if (rw) { opts.rw.push(resolve(rw[1])); continue; }
    const m = a.match(/^--(report|timeout|mem|smp)=(.+)$/);
    if (!m) fail(`unknown argument ${a} (usage: run.mjs [--report=FILE] [--timeout=S] [--mem=MB] [--smp=N] [--rw=DIR]... [test files/filters...] [-- cmd args...])`);
    if (m[1] !== 'report' && !/^[1-9][0-9]*$/.test(m[2])) fail(`${a}: expected a positive integer`);
    opts[m[1]] = m[1] === 'report' ? resolve(m[2]) : Number(m[2]);
  }
  // A report left from an earlier run must not pass for this run's.
  if (opts.report) rmSync(opts.report, { force: true });
  if (opts.cmd && opts.cmd.length === 0) fail('nothing after --');
  if (opts.cmd && opts.files.length) fail('test filters and -- cmd cannot be combined');
  return opts;
}

/** Share folders of runs whose process is gone (killed hard) are removed. */
function removeStaleShares(dir) {
  if (!existsSync(dir)) return;
  for (const d of readdirSync(dir)) {
    const pid = Number(d.split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    try { process.kill(pid, 0); } catch (e) {
      if (e.code === 'ESRCH') rmSync(join(dir, d), { recursive: true, force: true });
    }
  }
}

const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

function guestScript(share, cmd, kernelDir, initrdPath) {
  // Env passed through from the host when set; everything else is a clean environment.
  const pass = ['CI', 'FORCE_COLOR', 'NO_COLOR', 'DEBUG', 'LVSD_LOG_LEVEL'].filter((k) => process.env[k] !== undefined);
  return [
    `export PATH=${q(GUEST_PATH)} HOME=/tmp/home LANG=C.UTF-8 TERM=dumb LVSD_IN_VM=1 LVSD_VM_SHARE=${q(share)}`,
    `export LVSD_VM_KERNEL_DIR=${q(kernelDir)} LVSD_VM_INITRAMFS=${q(initrdPath)}`,
    ...pass.map((k) => `export ${k}=${q(process.env[k])}`),
    'mkdir -p "$HOME"',
    `cd ${q(repo)} || exit 97`,
    // Output goes to a file that tail follows onto the console: runners see no TTY and print
    // plain logs, and a leftover background process holding the output open cannot stall the end.
    `${cmd.map(q).join(' ')} </dev/null >/run/lvsd-vm.out 2>&1 &`,
    'pid=$!',
    'tail -n +1 -s 0.2 -f --pid=$pid /run/lvsd-vm.out',
    'wait $pid',
    '',
  ].join('\n');
}

const opts = parseArgs(process.argv.slice(2));
const share = join(cacheRoot, 'vm-share', `${process.pid}-${Date.now()}`);
const defaultCmd = [process.execPath, join(repo, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/vitest.config.ts',
  ...(opts.files.length ? opts.files : ['test/kernel']),
  // Software emulation runs node 10-20x slower than the host: the host's 30 s test timeout
  // is scaled up here (a test's own explicit timeout still wins).
  '--testTimeout=120000', '--hookTimeout=180000',
  '--reporter=default', '--reporter=json', `--outputFile=${join(share, 'report.json')}`];
const cmd = opts.cmd ?? defaultCmd;
const timeoutS = opts.timeout ?? (opts.cmd ? 3600 : 1200);

const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
let kernel, initrd;
try {
  kernel = obtainKernel(cacheRoot, (m) => console.error(`run.mjs: ${m}`));
  initrd = obtainInitramfs(cacheRoot, kernel, (m) => console.error(`run.mjs: ${m}`));
  kernel.boot = process.env.LVSD_VM_BZIMAGE === '1' ? kernel.vmlinuz : bootableKernel(kernel.vmlinuz, (m) => console.error(`run.mjs: ${m}`));
} catch (e) {
  fail(`cannot prepare the VM: ${e instanceof Error ? e.message : e}`);
}
console.error(`run.mjs: kernel ${kernel.package}, initramfs ready after ${secs()}s` +
  (initrd.absent.length ? ` (absent optional modules: ${initrd.absent.join(' ')})` : ''));

// Guest init splits these lists on ':' and whitespace.
for (const p of [repo, kernel.dir, share]) if (/[:\s']/.test(p)) fail(`path ${p} has a ':', quote or blank, which the guest init cannot handle`);
for (const dir of opts.rw) {
  if (dir === '/' || /[:,\s']/.test(dir)) fail(`--rw=${dir}: not usable as a writable share`);
  mkdirSync(dir, { recursive: true });
}
removeStaleShares(join(cacheRoot, 'vm-share'));
mkdirSync(share, { recursive: true });
writeFileSync(join(share, 'vm.env'), `LVSD_VM_SHARE=${q(share)}\nLVSD_VM_KEEP=${q(`${repo}:${kernel.dir}`)}\nLVSD_VM_DEADLINE=${timeoutS + 60}\nLVSD_VM_RW=${q(opts.rw.join(':'))}\n`);
writeFileSync(join(share, 'run.sh'), guestScript(share, cmd, kernel.dir, initrd.path));

const qemuArgs = [
  '-accel', process.env.LVSD_VM_ACCEL ?? 'tcg', '-cpu', process.env.LVSD_VM_CPU ?? 'max', '-m', String(opts.mem), '-smp', String(opts.smp),
  '-nographic', '-monitor', 'none', '-no-reboot', '-nic', 'none',
  '-kernel', kernel.boot, '-initrd', initrd.path,
  // Crypto self-tests and AppArmor set-up cost ~15% of the boot's CPU under TCG; tests need neither.
  '-append', 'console=ttyS0 quiet loglevel=4 panic=-1 mitigations=off rdinit=/init ' +
    'cryptomgr.notests=1 apparmor=0 initcall_blacklist=crypto_kdf108_init',
  '-device', 'virtio-rng-pci',
  // qboot (qemu-system-data) starts the kernel faster than SeaBIOS; both boot it.
  ...(existsSync('/usr/share/qemu/qboot.rom') ? ['-bios', 'qboot.rom'] : []),
  '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
  '-virtfs', `local,path=${share},mount_tag=share,security_model=none`,
  ...opts.rw.flatMap((dir, i) => ['-virtfs', `local,path=${dir},mount_tag=rw${i},security_model=none`]),
];
const qemu = spawn('qemu-system-x86_64', qemuArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
let qemuAlive = true;
const killQemu = () => { if (qemuAlive && qemu.pid) { try { process.kill(qemu.pid, 'SIGKILL'); } catch { /* gone */ } } };
process.on('exit', killQemu);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killQemu();
    rmSync(share, { recursive: true, force: true });
    console.error(`\nrun.mjs: ${sig}: qemu killed`);
    process.exit(130);
  });
}

let started = false;
let why = null;
const decoder = new StringDecoder('utf8'); // serial chunks split multi-byte characters
let pending = '';
let atLineStart = true;
/** Host messages start on their own line even when the guest's last line had no newline. */
const note = (msg) => { process.stderr.write(`${atLineStart ? '' : '\n'}run.mjs: ${msg}\n`); atLineStart = true; };
const onOut = (chunk) => {
  const text = decoder.write(chunk).replace(/\r/g, '');
  if (text) atLineStart = text.endsWith('\n');
  if (started) { process.stdout.write(text); return; }
  // Until the guest command starts, go line by line: firmware escape sequences (clear screen,
  // hide cursor) are dropped so they do not reach the host's terminal, and the start mark is found.
  pending += text;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    process.stdout.write(`${line.replace(/\x1bc|\x1b\[[0-9;?]*[A-Za-z]/g, '')}\n`);
    if (!started && line.includes(START_MARK)) { started = true; note(`guest command started after ${secs()}s`); }
  }
  if (started) { process.stdout.write(pending); pending = ''; }
};
qemu.stdout.on('data', onOut);
qemu.stderr.on('data', (c) => process.stderr.write(c));
qemu.on('error', (e) => { why = `cannot start qemu-system-x86_64: ${e.message}`; });

const bootTimer = setTimeout(() => {
  if (!started) { why = `VM did not reach the guest command within ${BOOT_TIMEOUT_S}s`; killQemu(); }
}, BOOT_TIMEOUT_S * 1000);
const runTimer = setTimeout(() => { why = `no exit status from the guest within ${timeoutS}s`; killQemu(); }, timeoutS * 1000);

qemu.on('close', (code, signal) => {
  qemuAlive = false;
  clearTimeout(bootTimer);
  clearTimeout(runTimer);
  const statusFile = join(share, 'status');
  const initError = join(share, 'init-error');
  if (opts.report && existsSync(join(share, 'report.json'))) {
    mkdirSync(dirname(opts.report), { recursive: true });
    copyFileSync(join(share, 'report.json'), opts.report);
  }
  let status = null;
  if (existsSync(statusFile)) status = Number(readFileSync(statusFile, 'utf8').trim());
  const initMsg = existsSync(initError) ? readFileSync(initError, 'utf8').trim() : null;
  if (process.env.LVSD_VM_KEEP_SHARE !== '1') rmSync(share, { recursive: true, force: true });
  if (why) fail(why);
  if (initMsg) fail(`guest init: ${initMsg}`);
  if (status === null || !Number.isInteger(status)) {
    fail(`VM stopped (qemu ${signal ? `signal ${signal}` : `exit ${code}`}) without a guest exit status` +
      (started ? '' : ' - it never reached the guest command'));
  }
  note(`guest command exited ${status} after ${secs()}s`);
  process.exit(status);
});
