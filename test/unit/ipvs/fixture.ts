// Loads the ipvsadm netlink capture (test/fixtures/ipvs/ipvsadm-netlink.json).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attrs } from '../../../src/ipvs/attrs.js';

export interface CapturedMessage {
  dir: 'send' | 'recv';
  kind: 'ipvs' | 'error' | 'done';
  flags: number;
  payload: string;
}
export interface CapturedCommand {
  command: string;
  status: number;
  messages: CapturedMessage[];
  stdout: string;
}

const file = join(__dirname, '../../fixtures/ipvs/ipvsadm-netlink.json');
export const capture: { producedBy: string; commands: CapturedCommand[] } = JSON.parse(readFileSync(file, 'utf8'));

export function command(cmd: string): CapturedCommand {
  const c = capture.commands.find((x) => x.command === `ipvsadm ${cmd}`);
  if (!c) throw new Error(`no capture for ipvsadm ${cmd}`);
  return c;
}

/** IPVS-family requests ipvsadm sent for a command (GET_INFO first, then the command's own). */
export function sent(cmd: string): CapturedMessage[] {
  return command(cmd).messages.filter((m) => m.dir === 'send' && m.kind === 'ipvs');
}

/** The command's own request: the last one it sent. */
export function lastSent(cmd: string): CapturedMessage {
  const s = sent(cmd);
  const m = s[s.length - 1];
  if (!m) throw new Error(`ipvsadm ${cmd} sent nothing`);
  return m;
}

/** Each IPVS reply of a captured run, with the command and attributes of the request it answers. */
export function replies(cmd: string): Array<{ cmd: number; attrs: Attrs; request: Attrs }> {
  const out: Array<{ cmd: number; attrs: Attrs; request: Attrs }> = [];
  let last = { cmd: 0, request: Attrs.parse(Buffer.alloc(0)) };
  for (const m of command(cmd).messages) {
    if (m.kind !== 'ipvs') continue;
    const b = Buffer.from(m.payload, 'hex');
    const attrs = Attrs.parse(b.subarray(4));
    if (m.dir === 'send') last = { cmd: b[0], request: attrs };
    else out.push({ ...last, attrs });
  }
  return out;
}
