// The typed model: what the parser built (keyword names as fields, keepalived's defaults
// filled in), viewed through the types the rest of lvsd reads.
import type { RawObject } from '../../grammar/parser.js';

export interface Model {
  global_defs?: RawObject;
  vrrp_instance?: RawObject[];
  vrrp_sync_group?: RawObject[];
  vrrp_script?: RawObject[];
  virtual_server?: RawObject[];
  virtual_server_group?: RawObject[];
  [keyword: string]: unknown;
}

export function toModel(root: RawObject): Model {
  return root as Model;
}
