// The global SSL block's files must make a TLS context when an SSL_GET checker will use them
// (keepalived's ssl_required): keepalived's checker process stops at start otherwise. Read through
// the observed file system, so that a prepared reload sees a changed certificate or key.
import { ErrClass } from '../../../grammar/diagnostics.js';
import { readFileSync } from '../../../grammar/observed-fs.js';
import type { CheckContext } from '../validate.js';
import { readSslBlock, sslFileProblems } from '../ssl-block.js';
import { obj, objs, root } from './model-access.js';

function usesSslGet(ctx: CheckContext): boolean {
  for (const vs of objs(root(ctx), 'virtual_server')) {
    const reals = objs(vs, 'real_server');
    for (let i = 0; i < reals.length; i++) if (reals[i].SSL_GET !== undefined) return true;
  }
  return false;
}

export function checkSslBlock(ctx: CheckContext): void {
  const ssl = obj(root(ctx), 'SSL');
  if (ssl === undefined || !usesSslGet(ctx)) return;
  const { files, problems } = readSslBlock(ssl, readFileSync);
  for (const p of [...problems, ...sslFileProblems(ssl, files)]) {
    ctx.report({ cls: ErrClass.General, level: 'error', block: 'SSL', keyword: p.field, message: p.message }, ssl, p.field);
  }
}
