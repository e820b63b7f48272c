/**
 * Bearer tokens on the Alertmanager and Grafana webhook routes (`Authorization: Bearer <token>`).
 * Owns: parsing the header and comparing in constant time against every configured token (rotation).
 * Must not touch: where tokens come from (configuration), HTTP answers (the handler), logging tokens.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^bearer +([^\s]+) *$/i;

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * True when the header carries one of `tokens`. Both sides are hashed (sha256) then compared with
 * timingSafeEqual, against every token without stopping early, so neither the position of the
 * matching token nor any length leaks. False for a missing / malformed header or no configured token.
 */
export const verifyBearer = (authorizationHeader: string | undefined, tokens: readonly string[]): boolean => {
  if (typeof authorizationHeader !== 'string') return false;
  const presented = BEARER.exec(authorizationHeader)?.[1];
  if (presented === undefined) return false;
  const presentedDigest = digest(presented);
  let matched = false;
  for (const token of tokens) {
    if (typeof token !== 'string' || token.length === 0) continue;
    matched = timingSafeEqual(presentedDigest, digest(token)) || matched;
  }
  return matched;
};
