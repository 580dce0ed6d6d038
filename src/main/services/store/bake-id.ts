import { randomInt } from 'node:crypto';
import type { Clock } from '../clock';

const TIME_CHARS = 10;
const RANDOM_CHARS = 10;
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * `bk_` + the creation time in base36 (10 chars, zero-padded, so ids sort by time as plain strings) + 10
 * random chars. Listing the newest bakes is then a sort of directory names, with no record read.
 */
export function newBakeId(clock: Clock): string {
  const time = Math.max(0, Math.floor(clock.now())).toString(36).padStart(TIME_CHARS, '0');
  let random = '';
  for (let i = 0; i < RANDOM_CHARS; i++) random += ALPHABET[randomInt(ALPHABET.length)];
  return `bk_${time.slice(-TIME_CHARS)}${random}`;
}

/** The creation time encoded in a bake id (epoch ms). */
export function bakeIdTime(bakeId: string): number {
  return parseInt(bakeId.slice(3, 3 + TIME_CHARS), 36);
}
