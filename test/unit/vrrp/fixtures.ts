// Loads the adverts keepalived 2.2.7 put on the wire (test/fixtures/vrrp/capture.sh).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CapturedPacket { t: number; priority: number; hex: string }
export interface CapturedCase { vrid: number; multicast: boolean; adverts: CapturedPacket[]; shutdown: CapturedPacket }

const path = fileURLToPath(new URL('../../fixtures/vrrp/adverts.json', import.meta.url));
export const captured = (JSON.parse(readFileSync(path, 'utf8')) as { cases: Record<string, CapturedCase> }).cases;

export function bytes(p: CapturedPacket): Buffer {
  return Buffer.from(p.hex, 'hex');
}
