// A class's identifiers, all random: its public id, the short code learners type, and the
// instructor's secret, of which only the SHA-256 is stored and compared in constant time.
import { joinCodeAlphabet, joinCodeLength } from '../../protocol/classes.ts';

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

const randomText = (bytes: number) => base64url(crypto.getRandomValues(new Uint8Array(bytes)));

/** 16 random bytes: 22 characters, in the join and instructor links. */
export const newClassID = () => randomText(16);
/** A learner's id in one class: nothing derived from their learner id. */
export const newMemberID = () => randomText(12);
/** 32 random bytes, base64url (43 characters): not derivable from the id or the join code. */
export const newInstructorSecret = () => randomText(32);

/** Six characters of the alphabet, each drawn uniformly (bytes past the last whole multiple are drawn again). */
export function newJoinCode(): string {
  const limit = 256 - (256 % joinCodeAlphabet.length);
  let code = '';
  while (code.length < joinCodeLength) {
    for (const byte of crypto.getRandomValues(new Uint8Array(joinCodeLength * 2))) {
      if (byte < limit && code.length < joinCodeLength) code += joinCodeAlphabet[byte % joinCodeAlphabet.length];
    }
  }
  return code;
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/** What D1 keeps of the secret: its SHA-256, hex. */
export async function secretHash(secret: string): Promise<string> {
  return [...(await sha256(secret))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Whether `secret` is the one whose hash is stored, compared in constant time. */
export async function secretMatches(secret: string, storedHash: string): Promise<boolean> {
  const stored = new Uint8Array(storedHash.match(/[0-9a-f]{2}/g)?.map((pair) => parseInt(pair, 16)) ?? []);
  const given = await sha256(secret);
  return stored.length === given.length && crypto.subtle.timingSafeEqual(stored, given);
}
