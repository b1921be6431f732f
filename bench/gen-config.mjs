#!/usr/bin/env node
// Writes a keepalived.conf with N real servers (spread over virtual servers of 100 each),
// accepted by keepalived 2.2.7 -t: used by bench/config-test.sh. Each real server has an
// HTTP_GET check with a url block (12 lines), or a TCP_CHECK (5 lines) with `tcp`.
import { writeFileSync } from 'node:fs';

const [, , nArg, out, iface = 'veth0', check = 'http'] = process.argv;
const n = Number(nArg);
if (!Number.isInteger(n) || n < 1 || !out) {
  console.error('usage: gen-config.mjs N OUT [IFACE] [http|tcp]');
  process.exit(2);
}
const parts = [];
parts.push(`global_defs {\n  router_id bench\n}\n`);
parts.push(`vrrp_instance VI_1 {\n  state MASTER\n  interface ${iface}\n  virtual_router_id 51\n  priority 100\n  advert_int 1\n  virtual_ipaddress {\n    192.0.2.1/24\n  }\n}\n`);
const perVs = 100;
for (let v = 0; v * perVs < n; v++) {
  const vip = `198.18.${(v >> 8) & 255}.${v & 255}`;
  parts.push(`virtual_server ${vip} 80 {\n  delay_loop 6\n  lb_algo wlc\n  lb_kind DR\n  protocol TCP\n`);
  for (let r = v * perVs; r < Math.min(n, (v + 1) * perVs); r++) {
    const rip = `10.${(r >> 16) & 255}.${(r >> 8) & 255}.${r & 255}`;
    parts.push(check === 'tcp'
      ? `  real_server ${rip} 80 {\n    weight 1\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`
      : `  real_server ${rip} 80 {\n    weight 1\n    inhibit_on_failure\n    HTTP_GET {\n      url {\n        path /health\n        status_code 200\n      }\n      connect_timeout 3\n      retry 3\n      delay_before_retry 2\n    }\n  }\n`);
  }
  parts.push('}\n');
}
writeFileSync(out, parts.join(''));
