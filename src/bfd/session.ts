// One BFD session (RFC 5880 asynchronous mode, no echo, no authentication), pure: packets and
// timer expiries in, packets out through `send`, state changes out through `onChange`. The
// clock is injected; intervals are microseconds like on the wire.
import type { Clock } from '../check/scheduler.js';
import { DIAG, type BfdControl, type BfdState } from './packet.js';

export interface SessionConfig {
  /** bfd.RequiredMinRxInterval (min_rx). */
  minRxUs: number;
  /** bfd.DesiredMinTxInterval while Up (min_tx). */
  minTxUs: number;
  /** bfd.DesiredMinTxInterval while not Up (idle_tx, at least 1 s as RFC 5880 6.8.3 asks). */
  idleTxUs: number;
  /** bfd.DetectMult (multiplier). */
  multiplier: number;
  /** Send nothing until the neighbour is heard (RFC 5880 6.1 passive role). */
  passive: boolean;
}

export interface StateChange {
  from: BfdState;
  to: BfdState;
  /** Local diagnostic after the change. */
  diag: number;
}

export interface SessionDeps {
  clock: Clock;
  /** Uniform [0, 1): the transmit jitter. */
  random: () => number;
  /** bfd.LocalDiscr, non-zero and unique on this system. */
  localDiscr: number;
  send: (p: BfdControl) => void;
  onChange?: (c: StateChange) => void;
  /**
   * Runs `fn` once packets already received have been handed in (the runtime: setImmediate, after
   * the event loop's poll phase). Default: at once.
   */
  defer?: (fn: () => void) => void;
}

export class BfdSession {
  state: BfdState = 'Down';
  diag: number = DIAG.none;
  remoteDiscr = 0;
  remoteState: BfdState = 'Down';
  /** bfd.RemoteMinRxInterval; 1 until the neighbour says otherwise (RFC 5880 6.8.1). */
  remoteMinRxUs = 1;
  remoteMinTxUs = 0;
  remoteDetectMult = 0;
  remoteDemand = false;
  /** A Poll sequence is running: every packet carries P until a Final arrives. */
  polling = false;
  /** The current negotiated transmit interval (before jitter) and detection time. */
  txIntervalUs: number;
  detectTimeUs = 0;
  /** Valid packets taken in and packets sent. */
  received = 0;
  sent = 0;
  /** When the last valid packet arrived (clock microseconds; -1: never). */
  lastRxUs = -1;
  private heard = false;
  private txTimer: unknown = null;
  private detectTimer: unknown = null;
  private running = false;

  constructor(readonly cfg: SessionConfig, private readonly d: SessionDeps) {
    this.txIntervalUs = cfg.idleTxUs;
  }

  get localDiscr(): number {
    return this.d.localDiscr;
  }

  /** bfd.DesiredMinTxInterval as advertised now. */
  desiredMinTxUs(): number {
    return this.state === 'Up' ? this.cfg.minTxUs : Math.max(this.cfg.idleTxUs, 1_000_000);
  }

  start(): void {
    this.running = true;
    this.state = 'Down';
    this.diag = DIAG.none;
    this.txIntervalUs = this.negotiatedTx();
    this.scheduleTx();
  }

  /** Stops every timer (no packet is sent; see adminDown). */
  stop(): void {
    this.running = false;
    this.cancelTx();
    this.cancelDetect();
  }

  /** Enters AdminDown and sends one packet saying so, then stays silent (lvsd stopping). */
  adminDown(): void {
    if (this.state === 'AdminDown') return;
    this.cancelTx();
    this.cancelDetect();
    this.polling = false;
    this.change('AdminDown', DIAG.adminDown);
    this.transmit(false);
  }

  /** A packet that passed decodeControl and belongs to this session (RFC 5880 6.8.6, from the discriminator checks on). */
  receive(p: BfdControl): void {
    if (!this.running || this.state === 'AdminDown') return;
    this.received++;
    this.lastRxUs = this.d.clock.nowUs();
    this.heard = true;
    this.remoteDiscr = p.myDiscr;
    this.remoteState = p.state;
    this.remoteDemand = p.demand;
    this.remoteMinRxUs = p.requiredMinRxUs;
    this.remoteMinTxUs = p.desiredMinTxUs;
    this.remoteDetectMult = p.detectMult;
    if (p.final) this.polling = false;
    const oldTx = this.txIntervalUs;

    if (p.state === 'AdminDown') {
      if (this.state !== 'Down') this.change('Down', DIAG.neighborDown);
    } else if (this.state === 'Down') {
      if (p.state === 'Down') this.change('Init', DIAG.none);
      else if (p.state === 'Init') this.change('Up', DIAG.none);
    } else if (this.state === 'Init') {
      if (p.state === 'Init' || p.state === 'Up') this.change('Up', DIAG.none);
    } else if (p.state === 'Down') this.change('Down', DIAG.neighborDown);

    this.txIntervalUs = this.negotiatedTx();
    this.detectTimeUs = this.remoteDetectMult * Math.max(this.cfg.minRxUs, this.remoteMinTxUs);
    // Detection runs while Init or Up; in Down it only forgets the neighbour (RemoteDiscr 0).
    this.armDetect();
    if (p.poll) this.transmit(true);
    if (this.periodicAllowed()) {
      if (this.txTimer === null || this.txIntervalUs < oldTx) this.scheduleTx();
    } else this.cancelTx();
  }

  /** The transmit interval before jitter: the slower of what we want and what the peer takes. */
  private negotiatedTx(): number {
    return Math.max(this.desiredMinTxUs(), this.remoteMinRxUs);
  }

  private periodicAllowed(): boolean {
    if (!this.running || this.state === 'AdminDown') return false;
    // RFC 5880 6.8.7: a peer asking for RequiredMinRx 0 gets no periodic packets.
    if (this.remoteMinRxUs === 0) return false;
    // Demand mode of the peer, once both are Up (6.8.7).
    if (this.remoteDemand && this.state === 'Up' && this.remoteState === 'Up') return false;
    // Passive: silent before the neighbour is heard, and again once the session falls Down (as keepalived).
    if (this.cfg.passive && (!this.heard || this.state === 'Down')) return false;
    return true;
  }

  /** The next periodic interval: 75-100% of the negotiated one, 75-90% when DetectMult is 1 (RFC 5880 6.8.7). */
  jitteredUs(): number {
    const max = this.cfg.multiplier === 1 ? 0.9 : 1;
    return this.txIntervalUs * (0.75 + (max - 0.75) * this.d.random());
  }

  private scheduleTx(): void {
    this.cancelTx();
    if (!this.periodicAllowed()) return;
    this.txTimer = this.d.clock.setTimer(() => {
      this.txTimer = null;
      this.transmit(false);
      this.scheduleTx();
    }, this.jitteredUs() / 1000);
  }

  private cancelTx(): void {
    if (this.txTimer !== null) this.d.clock.clearTimer(this.txTimer);
    this.txTimer = null;
  }

  private armDetect(): void {
    this.cancelDetect();
    if (this.detectTimeUs <= 0) return;
    const timer = this.d.clock.setTimer(() => {
      // After a stall of the process (a busy or starved host) the timer runs before the packets
      // that arrived meanwhile are read; they are read first, and one of them re-arms the timer.
      const expire = (): void => { if (this.detectTimer === timer) this.expire(); };
      if (this.d.defer) this.d.defer(expire);
      else expire();
    }, this.detectTimeUs / 1000);
    this.detectTimer = timer;
  }

  private expire(): void {
    this.detectTimer = null;
    // A Detection Time without a packet: forget the neighbour (RFC 5880 6.8.1 RemoteDiscr, 6.8.4).
    this.remoteDiscr = 0;
    this.remoteState = 'Down';
    this.remoteMinRxUs = 1;
    this.remoteDemand = false;
    if (this.state === 'Init' || this.state === 'Up') this.change('Down', DIAG.detectExpired);
    this.txIntervalUs = this.negotiatedTx();
    if (!this.periodicAllowed()) this.cancelTx();
    else if (this.txTimer === null) this.scheduleTx();
  }

  private cancelDetect(): void {
    if (this.detectTimer !== null) this.d.clock.clearTimer(this.detectTimer);
    this.detectTimer = null;
  }

  private change(to: BfdState, diag: number): void {
    const from = this.state;
    this.diag = diag;
    if (from === to) return;
    this.state = to;
    if (to === 'Up') {
      // DesiredMinTx drops from idle_tx to min_tx: tell the peer through a Poll sequence (RFC 5880 6.8.3).
      this.polling = this.cfg.minTxUs !== Math.max(this.cfg.idleTxUs, 1_000_000);
    } else this.polling = false;
    this.d.onChange?.({ from, to, diag });
  }

  private transmit(final: boolean): void {
    this.sent++;
    this.d.send({
      diag: this.diag,
      state: this.state,
      // A packet never carries both P and F (RFC 5880 6.8.7).
      poll: this.polling && !final,
      final,
      cpi: false,
      demand: false,
      detectMult: this.cfg.multiplier,
      myDiscr: this.d.localDiscr,
      yourDiscr: this.remoteDiscr,
      desiredMinTxUs: this.desiredMinTxUs(),
      requiredMinRxUs: this.cfg.minRxUs,
      requiredMinEchoRxUs: 0,
    });
  }
}
