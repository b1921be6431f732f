// The daemon's BFD: the runtime of the current config's bfd_instance blocks (none: no sockets),
// and two stable event views, one for VRRP's track_bfd and one for BFD_CHECK, that outlive a
// reload. `vrrp` / `checker` in a bfd_instance limit which view hears it (keepalived).
import { EventEmitter } from 'node:events';
import type { Model } from '../config/model.js';
import { bfdSpecsFromModel, type BfdInstanceSpec } from './from-model.js';
import { BfdRuntime, type BfdChange, type BfdInstanceStatus, type BfdLogger, type BfdRuntimeOptions } from './runtime.js';

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

  /**
   * Runs the model's bfd_instance blocks. An unchanged set keeps its sessions; any change
   * restarts them all (AdminDown to the old neighbours), and instances that were Up are
   * reported down to the views, since the new sessions start Down. Returns whether it restarted.
   */
  async apply(model: Model): Promise<boolean> {
    const specs = bfdSpecsFromModel(model);
    const key = JSON.stringify(specs);
    if (key === this.key) return false;
    const old = this.rt;
    const wasUp = old ? this.specs.filter((s) => old.isUp(s.name)) : [];
    this.rt = undefined;
    this.key = '';
    if (old) await old.stop();
    for (const s of wasUp) this.forward(s, 'down', { name: s.name, from: 'Up', to: 'Down', diag: 0 });
    this.specs = specs;
    // Set only once running: a failed start is tried again by the next apply.
    if (specs.length === 0) {
      this.key = key;
      return true;
    }
    const rt = await BfdRuntime.start(specs, this.o);
    this.key = key;
    const byName = new Map(specs.map((s) => [s.name, s]));
    rt.on('up', (c) => { const s = byName.get(c.name); if (s) this.forward(s, 'up', c); });
    rt.on('down', (c) => { const s = byName.get(c.name); if (s) this.forward(s, 'down', c); });
    this.rt = rt;
    this.o.log.info({ event: 'bfd.start', instances: specs.map((s) => s.name) }, `BFD: ${specs.length} instance(s) started`);
    return true;
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
