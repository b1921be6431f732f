// Test-only driver (the daemon wiring belongs elsewhere): runs inside the director's network
// namespace, loads a keepalived.conf, runs lvsd's checkers and virtual-server policy, and
// hands every desired state to the real IPVS reconciler. Prints one JSON line per apply and
// per action; exits on stdin end.
import { loadConfig } from '../../src/config/load.js';
import { applyDesired } from '../../src/ipvs/apply.js';
import { NetlinkIpvs } from '../../src/ipvs/client.js';
import { serviceKey } from '../../src/ipvs/model.js';
import { LvsEngine } from '../../src/lvs/engine.js';

const say = (o: unknown): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

async function main(): Promise<void> {
  const file = process.argv[2];
  const { model, ok, diagnostics } = loadConfig(file);
  if (!ok) {
    say({ error: 'config', diagnostics });
    process.exit(2);
  }
  const k = await NetlinkIpvs.open();
  const owned = new Set<string>();
  const engine = new LvsEngine({
    model,
    apply: async (rows) => {
      for (const r of rows) owned.add(serviceKey(r.service));
      const res = await applyDesired(k, rows, owned);
      say({ apply: res.ops.length, confirmed: res.confirmed, failures: res.failures.map((f) => f.error.message) });
    },
    onAction: (a) => say({ action: a.kind, rs: 'rs' in a ? a.rs : undefined }),
    onError: (e) => say({ error: String(e) }),
  });
  await engine.start();
  say({ started: true });
  process.stdin.resume();
  process.stdin.on('end', () => {
    engine.stop();
    k.close();
    process.exit(0);
  });
}

main().catch((e: unknown) => {
  say({ error: String(e) });
  process.exit(1);
});
