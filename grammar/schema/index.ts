// The one keyword schema of keepalived.conf: the root table and a fast keyword lookup.
import type { BlockSpec, KeywordSpec } from './types.js';
import { globalDefsKeywords, rootGlobalKeywords } from './global.js';
import { garpGroup, trackFileBlock, vrrpInstance, vrrpScript, vrrpSyncGroup, vrrpTrackProcess } from './vrrp.js';
import { supported } from './shared.js';
import { interfaceUpDownDelays, linkbeatInterfaces, staticIpaddress, staticRoutes, staticRules, trackGroup } from './static.js';
import { bfdInstance } from './bfd.js';
import { sslBlock, virtualServer, virtualServerGroup } from './lvs.js';

export const globalDefs: KeywordSpec = {
  name: 'global_defs',
  merge: true,
  support: supported,
  doc: 'Global definitions (may appear more than once; the blocks merge).',
  block: { keywords: globalDefsKeywords },
};

/** Root keyword table, in man page order. */
export const rootSchema: BlockSpec = {
  keywords: [
    ...rootGlobalKeywords,
    globalDefs,
    linkbeatInterfaces,
    trackGroup,
    staticIpaddress,
    staticRoutes,
    staticRules,
    trackFileBlock,
    vrrpTrackProcess,
    bfdInstance,
    vrrpScript,
    vrrpSyncGroup,
    garpGroup,
    vrrpInstance,
    interfaceUpDownDelays,
    virtualServerGroup,
    virtualServer,
    sslBlock,
  ],
};

const lookups = new WeakMap<BlockSpec, Map<string, KeywordSpec>>();

function buildLookup(block: BlockSpec): Map<string, KeywordSpec> {
  const m = new Map<string, KeywordSpec>();
  for (const k of block.keywords) {
    m.set(k.name, k);
    if (k.aliases) for (const a of k.aliases) m.set(a, k);
  }
  lookups.set(block, m);
  return m;
}

/**
 * The keyword spec for `word` in `block` (by name or alias), or undefined.
 * Each block's map is built once, on first use; later calls allocate nothing.
 */
export function findKeyword(block: BlockSpec, word: string): KeywordSpec | undefined {
  return (lookups.get(block) ?? buildLookup(block)).get(word);
}

/** Every block of the schema, depth first (for tests, docs and precomputing lookups). */
export function* allBlocks(block: BlockSpec = rootSchema, path: string[] = []): Generator<{ path: string[]; block: BlockSpec }> {
  yield { path, block };
  for (const k of block.keywords) if (k.block) yield* allBlocks(k.block, [...path, k.name]);
}

/** The field a keyword writes in its block's object. */
export const fieldOf = (k: KeywordSpec): string => k.field ?? k.name;

export { exampleOf } from './shared.js';

export type { BlockSpec, KeywordSpec } from './types.js';
