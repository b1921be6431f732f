// Keyword reference rendered from the schema (Markdown), so the docs cannot drift from the parser.
import type { BlockSpec, KeywordSpec } from './types.js';
import { rootSchema } from './index.js';
import { exampleOf } from './shared.js';

function syntax(k: KeywordSpec): string {
  if (k.flag) return k.flagArg ? `${k.name} [true|false]` : k.name;
  const args = (k.args ?? []).map((a) => (a.optional ? `[${a.name === 'value' ? a.type.name : `<${a.name}>`}]` : a.name === 'value' ? a.type.name : `<${a.name}>`));
  const ex = exampleOf(k);
  const shown = args.length ? args.join(' ') : ex !== undefined && !k.lines ? ex : k.convert ? '…' : '';
  const head = `${k.name}${shown ? ` ${shown}` : ''}`;
  return k.block || k.lines ? `${head} { … }` : head;
}

function status(k: KeywordSpec): string {
  const s = k.support;
  const base = s.status === 'supported' ? 'supported' : s.status === 'accepted' ? `accepted (later: ${s.later})` : `ignored (${s.why})`;
  return k.unknownToKeepalived ? `${base}; keepalived 2.2.7 rejects it: ${k.unknownToKeepalived}` : base;
}

const cell = (t: string) => t.replace(/\|/g, '\\|');

function renderBlock(block: BlockSpec, path: string[], out: string[]): void {
  out.push(`\n## ${path.length ? path.join(' › ') : 'top level'}\n`);
  out.push('| keyword | syntax | default | status | description |');
  out.push('|---|---|---|---|---|');
  for (const k of block.keywords) {
    const names = [k.name, ...(k.aliases ?? [])].map((n) => `\`${n}\``).join(', ');
    const def = k.default === undefined ? '' : `\`${JSON.stringify(k.default)}\``;
    const line = k.lines?.example ? ` Line: \`${k.lines.example}\`.` : '';
    out.push(`| ${names} | \`${cell(syntax(k))}\` | ${cell(def)} | ${cell(status(k))} | ${cell(k.doc + line)} |`);
  }
  for (const k of block.keywords) if (k.block) renderBlock(k.block, [...path, k.name], out);
}

/** The keyword reference of keepalived.conf as lvsd reads it. Durations are in microseconds. */
export function renderKeywordReference(root: BlockSpec = rootSchema): string {
  const out = ['# keepalived.conf keywords (generated from grammar/schema)', '', 'Defaults are in model units: durations in microseconds.'];
  renderBlock(root, [], out);
  return out.join('\n') + '\n';
}
