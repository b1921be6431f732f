// Why a received packet was not accepted. Counted per instance, logged as `vrrp.drop`.

export const DROP_REASONS = [
  'length', // truncated, too long, or IP total length disagreeing with what arrived
  'ttl', // TTL / hop limit not 255 on a multicast advert
  'version', // VRRP version other than the instance's
  'type', // packet type other than ADVERTISEMENT (1)
  'checksum', // VRRP checksum wrong
  'auth', // auth type unknown or different, wrong password, bad AH ICV/SPI, replayed AH sequence
  'vrid', // advert for another virtual router
  'interval', // v2 advert interval differing from ours
  'address-list', // address count or addresses differ, or multicast/unicast mismatch, or unknown unicast peer
] as const;

export type DropReason = (typeof DROP_REASONS)[number];

export type DropCounts = Record<DropReason, number>;

export function newDropCounts(): DropCounts {
  const c = {} as DropCounts;
  for (const r of DROP_REASONS) c[r] = 0;
  return c;
}
