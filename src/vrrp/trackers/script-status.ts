// vrrp_script result bookkeeping, pure: `rise` consecutive successes bring a failed script
// back to OK, `fall` consecutive failures take an OK one down.
export class ScriptStatus {
  up: boolean;
  private streak = 0;

  constructor(readonly rise: number, readonly fall: number, initFail: boolean) {
    this.up = !initFail;
  }

  /** Records one run; true when the status changed. */
  result(ok: boolean): boolean {
    if (ok === this.up) {
      this.streak = 0;
      return false;
    }
    this.streak++;
    if (this.streak < (ok ? this.rise : this.fall)) return false;
    this.streak = 0;
    this.up = ok;
    return true;
  }
}
