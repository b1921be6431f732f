// Global configuration blocks outside global_defs: linkbeat_interfaces, interface up/down
// delays, static track groups, static addresses, routes and rules (keepalived.conf(5) "GLOBAL
// CONFIGURATION"). Semantics follow keepalived 2.2.7 vrrp/vrrp_parser.c and vrrp_ipaddress.c.
import { ErrClass } from '../diagnostics.js';
import type { KeywordSpec, LineSpec } from './types.js';
import { ifname, string, timerUs } from './values.js';
import { addressLine, later, lines, nameLine, parseWord, routeLine, ruleLine, supported } from './shared.js';

const LINKBEAT = later('link polling with MII/ETHTOOL/ioctl');
const STATIC = later('static addresses, routes and rules');
const ROUTES = later('virtual/static routes and rules');

/** `IFNAME [MII|ETHTOOL|IOCTL]` */
const linkbeatLine: LineSpec = {
  name: 'linkbeat interface',
  example: 'eth0 MII',
  convert(words, ctx) {
    const name = parseWord(ifname, words[0], ctx);
    if (name === undefined) return undefined;
    const out: { ifname: string; type?: string } = { ifname: name };
    if (words.length > 1) {
      const t = words[1].text;
      if (t === 'MII' || t === 'ETHTOOL' || t === 'IOCTL') out.type = t;
      if (!out.type || words.length > 2) ctx.report(ErrClass.General, `extra characters ${t} in linkbeat interface`, words[1]);
    }
    return out;
  },
};

const delay = timerUs(0, 255 * 1e6);

/** `IFNAME DOWN_DELAY [UP_DELAY]` (keepalived only logs bad delays; they are not config errors) */
const upDownDelayLine: LineSpec = {
  name: 'interface up/down delay',
  example: 'eth0 1.5 2',
  convert(words, ctx) {
    const name = parseWord(ifname, words[0], ctx);
    if (name === undefined) return undefined;
    if (words.length < 2) {
      ctx.report(ErrClass.Warning, `No timeouts specified for ${name} up/down delays`, words[0], 'warning');
      return undefined;
    }
    if (words.length > 3) ctx.report(ErrClass.Warning, `Too many parameters for ${name} up/down delays`, words[3], 'warning');
    // read_timer reports a bad number itself
    const down = parseWord(delay, words[1], ctx);
    if (down === undefined) return undefined;
    // keepalived: "If up_delay is omitted, it is set to be the same as the down delay"
    const up = words[2] ? parseWord(delay, words[2], ctx) : down;
    if (up === undefined) return undefined;
    return { ifname: name, down, up };
  },
};

export const linkbeatInterfaces: KeywordSpec = lines('linkbeat_interfaces', linkbeatLine, LINKBEAT, 'Interfaces whose link state is polled [MII|ETHTOOL|IOCTL].');

export const interfaceUpDownDelays: KeywordSpec = lines('interface_up_down_delays', upDownDelayLine, supported, 'Debounce delays (s) of interface down/up transitions.');

export const trackGroup: KeywordSpec = {
  name: 'track_group',
  args: [{ name: 'name', type: string }],
  repeatable: true,
  support: STATIC,
  doc: 'VRRP instances that go to FAULT when a static address/route/rule of the group cannot be restored.',
  block: {
    keywords: [
      lines('group', nameLine('vrrp_instance name', 'Warning - track group has empty group block', 'VI_1'), STATIC, 'Member VRRP instances.', {
        repeatable: false,
        onceMessage: 'Group list already specified',
      }),
    ],
  },
};

export const staticIpaddress: KeywordSpec = lines('static_ipaddress', addressLine(true), STATIC, 'Addresses configured at startup and kept.');
export const staticRoutes: KeywordSpec = lines('static_routes', routeLine(true), ROUTES, 'Routes configured at startup and kept.');
export const staticRules: KeywordSpec = lines('static_rules', ruleLine(true), ROUTES, 'Rules configured at startup and kept.');
