// keepalived's notifications for instances and sync groups: the per-state scripts
// (notify_master/backup/fault/stop, run as configured), the generic `notify` script called
// with  {INSTANCE|GROUP} NAME {MASTER|BACKUP|FAULT|STOP} PRIORITY  appended, and one line per
// change on each notify FIFO:  INSTANCE "NAME" STATE PRIORITY\n  (groups report priority 0).
import { closeSync, constants, existsSync, openSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { runCommand, type RunResult } from './trackers/run-command.js';
import { resolveCredentials } from './trackers/command.js';
import type { CommandSpec, NotifySpec } from './from-model.js';

export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';
export type NotifyKind = 'INSTANCE' | 'GROUP';
/** FIFO-only events: notify_priority_changes (by the state the instance is in). */
export type PriorityEvent = 'MASTER_PRIORITY' | 'BACKUP_PRIORITY';
/** A master heard a lower priority advert (notify_master_rx_lower_pri and the FIFOs). */
export type RxLowerEvent = 'MASTER_RX_LOWER_PRI';

export function fifoLine(kind: NotifyKind, name: string, state: NotifyState | PriorityEvent | RxLowerEvent, priority: number): string {
  return `${kind} "${name}" ${state} ${priority}\n`;
}

/** The command lines one change runs: the state's own script, then `notify` with arguments. */
export function notifyCommands(spec: NotifySpec, kind: NotifyKind, name: string, state: NotifyState, priority: number): Array<{ cmd: CommandSpec; args: string[] }> {
  const out: Array<{ cmd: CommandSpec; args: string[] }> = [];
  const own = { MASTER: spec.master, BACKUP: spec.backup, FAULT: spec.fault, STOP: spec.stop, DELETED: spec.deleted }[state];
  if (own) out.push({ cmd: own, args: [] });
  if (spec.any) out.push({ cmd: spec.any, args: [kind, name, state, String(priority)] });
  return out;
}

export class Notifier {
  private readonly fds: number[] = [];
  private readonly created: string[] = [];
  private readonly running = new Set<Promise<RunResult>>();
  failures = 0;

  constructor(fifos: string[], private readonly onResult?: (cmd: string, r: RunResult) => void) {
    for (const path of fifos) {
      try {
        if (!existsSync(path)) {
          execFileSync('mkfifo', ['-m', '0644', path]);
          this.created.push(path);
        }
        // Read-write and non-blocking as keepalived opens it: no reader never blocks lvsd.
        this.fds.push(openSync(path, constants.O_RDWR | constants.O_NONBLOCK));
      } catch {
        this.failures++;
      }
    }
  }

  notify(spec: NotifySpec, kind: NotifyKind, name: string, state: NotifyState, priority: number): void {
    this.writeFifos(fifoLine(kind, name, state, kind === 'GROUP' ? 0 : priority));
    this.runAll(notifyCommands(spec, kind, name, state, priority));
  }

  /** notify_master_rx_lower_pri: its script (no arguments) and a MASTER_RX_LOWER_PRI line on the FIFOs. */
  masterRxLowerPri(spec: NotifySpec, name: string, priority: number): void {
    this.writeFifos(fifoLine('INSTANCE', name, 'MASTER_RX_LOWER_PRI', priority));
    if (spec.masterRxLowerPri) this.runAll([{ cmd: spec.masterRxLowerPri, args: [] }]);
  }

  private runAll(list: Array<{ cmd: CommandSpec; args: string[] }>): void {
    for (const { cmd, args } of list) {
      let creds;
      try {
        creds = cmd.user ? resolveCredentials(cmd.user, cmd.group) : undefined;
      } catch {
        this.failures++;
        continue;
      }
      const p = runCommand(cmd.cmd, { args, ...(creds ? { credentials: creds } : {}) });
      this.running.add(p);
      void p.then((r) => {
        this.running.delete(p);
        this.onResult?.(cmd.cmd, r);
      });
    }
  }

  /** notify_priority_changes: a line on the FIFOs only (keepalived runs no script for it). */
  priorityChange(name: string, event: PriorityEvent, priority: number): void {
    this.writeFifos(fifoLine('INSTANCE', name, event, priority));
  }

  private writeFifos(line: string): void {
    for (const fd of this.fds) {
      try { writeSync(fd, line); } catch { this.failures++; }
    }
  }

  /** Waits (at most timeoutMs) for the scripts still running, e.g. notify_stop at shutdown. */
  async settle(timeoutMs: number): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...this.running]), new Promise((r) => { t = setTimeout(r, timeoutMs); })]);
    if (t) clearTimeout(t);
  }

  close(): void {
    for (const fd of this.fds.splice(0)) {
      try { closeSync(fd); } catch { /* already closed */ }
    }
  }
}
