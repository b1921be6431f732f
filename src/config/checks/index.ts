// The list of post-parse checks, in the order keepalived runs them: first what its parser
// checks while reading (interfaces, script users, tracked objects), then the main process
// (startup scripts), the checker process (validate_check_config) and the VRRP process
// (vrrp_complete_init).
import type { Check } from '../validate.js';
import { checkDuplicateNames } from './duplicate-names.js';
import { checkInterfaces } from './interfaces.js';
import { checkEmptyBlocks } from './empty-blocks.js';
import { checkBfdInstances } from './bfd.js';
import { checkBfdUsers } from './bfd-users.js';
import { checkTrackFiles } from './track-files.js';
import { checkScriptUsers } from './script-users.js';
import { checkVrrpTracking } from './vrrp-tracking.js';
import { checkStartupScriptSecurity, checkCheckerScriptSecurity, checkVrrpScriptSecurity } from './scripts.js';
import { checkVirtualServers } from './virtual-server.js';
import { checkRealServers } from './real-servers.js';
import { checkSyncGroups, checkSyncGroupTracking } from './sync-groups.js';
import { checkVrrpInstances } from './vrrp-instance.js';
import { checkVridConflicts } from './vrid-conflicts.js';
import { pruneRemoved } from './prune-removed.js';
import { checkSslBlock } from './ssl-block.js';

export const checks: Check[] = [
  checkDuplicateNames,
  checkInterfaces,
  checkEmptyBlocks,
  checkBfdInstances,
  checkTrackFiles,
  checkScriptUsers,
  checkBfdUsers,
  checkVrrpTracking,
  checkRealServers,
  checkStartupScriptSecurity,
  checkVirtualServers,
  checkCheckerScriptSecurity,
  checkSslBlock,
  checkVrrpScriptSecurity,
  checkSyncGroups,
  checkVrrpInstances,
  checkVridConflicts,
  checkSyncGroupTracking,
  pruneRemoved,
];
