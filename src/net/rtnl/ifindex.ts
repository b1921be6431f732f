// Interface index by name with one RTM_GETLINK (as `ip` does), ENODEV when there is none.
import { constants } from 'node:os';
import { RtnlError, type RtnlSocket } from './socket.js';
import { getLinkByNameRequest } from './link-msg.js';

const { ENODEV } = constants.errno;

export async function lookupIfindex(rtnl: RtnlSocket, name: string): Promise<number> {
  const msgs = await rtnl.request(getLinkByNameRequest(name), `interface ${name}`);
  for (const m of msgs) if (m.kind === 'link' && m.data.index) return m.data.index;
  throw new RtnlError(`interface ${name}`, ENODEV);
}
