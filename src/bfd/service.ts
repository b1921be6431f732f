// The daemon's BFD: the runtime of the current config's bfd_instance blocks (none: no sockets),
// and two stable event views, one for VRRP's track_bfd and one for BFD_CHECK, that outlive a
// reload. `vrrp` / `checker` in a bfd_instance limit which view hears it (keepalived).
import { EventEmitter } from 'node:events';
import type { Model } from '../config/model.js';
import { bfdSpecsFromModel, type BfdInstanceSpec } from './from-model.js';
import { BfdRuntime, type BfdChange, type BfdInstanceStatus, type BfdLogger, type BfdRuntimeOptions } from './runtime.js';
import type { BfdDropReason } from './packet.js';

type Events = { up: [BfdChange]; down: [BfdChange] };

/** What track_bfd and BFD_CHECK listen to. */
export class BfdView extends EventEmitter<Events> {
  constructor(private readonly svc: BfdService) {
    super();
  }
  isUp(name: string): boolean {
    return this.svc.isUp(name);
  }
}

export class BfdService {
  readonly vrrp = new BfdView(this);
  readonly checker = new BfdView(this);
  private rt: BfdRuntime | undefined;
  private specs: BfdInstanceSpec[] = [];
  private key = '';

  constructor(private readonly o: BfdRuntimeOptions & { log: BfdLogger }) {}

  isUp(name: string): boolean {
    return this.rt?.isUp(name) ?? false;
  }

  status(): BfdInstanceStatus[] {
    return this.rt?.status() ?? [];
  }

  /** Every BFD packet refused since the sessions started, by reason, whoever sent it. */
  refused(): Record<BfdDropReason, number> | undefined {
    return this.rt ? { ...this.rt.drops.counts } : undefined;
  }

  /**
   * Runs the model's bfd_instance blocks. Unchanged instances keep their sessions; removed and
   * changed ones send AdminDown and close (changed ones start again, Down), and those that were
   * Up are reported down to the views. Returns whether anything changed.
   */
  async apply(model: Model): Promise<boolean> {
    const specs = bfdSpecsFromModel(model);
    const key = JSON.stringify(specs);
    if (key === this.key) return false;
    const wasUp = new Set(this.specs.filter((s) => this.isUp(s.name)).map((s) => s.name));
    const before = new Map(this.specs.map((s) => [s.name, s]));
    this.key = '';
    let closed: string[];
    if (this.rt && specs.length === 0) {
      // nothing left: the receive sockets close too
      closed = this.specs.map((s) => s.name);
      const rt = this.rt;
      this.rt = undefined;
      await rt.stop();
    } else if (this.rt) closed = await this.rt.update(specs);
    else if (specs.length > 0) {
      const rt = await BfdRuntime.start(specs, this.o);
      rt.on('up', (c) => this.route('up', c));
      rt.on('down', (c) => this.route('down', c));
      this.rt = rt;
      closed = [];
    } else closed = [];
    this.specs = specs;
    for (const name of closed) {
      const s = before.get(name);
      if (s && wasUp.has(name)) this.forward(s, 'down', { name, from: 'Up', to: 'Down', diag: 0 });
    }
    // Set only once applied: a failed start is tried again by the next apply.
    this.key = key;
    this.o.log.info({ event: 'bfd.apply', instances: specs.map((s) => s.name), restarted: closed }, `BFD: ${specs.length} instance(s)`);
    return true;
  }

  private route(ev: 'up' | 'down', c: BfdChange): void {
    const s = this.specs.find((x) => x.name === c.name);
    if (s) this.forward(s, ev, c);
  }

  async stop(): Promise<void> {
    const rt = this.rt;
    this.rt = undefined;
    await rt?.stop();
  }

  private forward(s: BfdInstanceSpec, ev: 'up' | 'down', c: BfdChange): void {
    if (s.toVrrp) this.vrrp.emit(ev, c);
    if (s.toChecker) this.checker.emit(ev, c);
  }
}
