/**
 * SMN topic URNs (`urn:smn:<region>:<project_id>:<name>`): their shape, their parts, and the check
 * that pins SMN deliveries to our own topics. A valid SMN signature proves SMN sent a message, not
 * that it came from our topic: SMN signs every account's messages with the same regional
 * certificate, so the topic is what says whose alarm it is.
 * Owns: the URN format and the allow-list decision. Must not touch: where the allow-list comes from
 * (configuration, secret, routes file: lib/runtime), signatures (SmnVerifier.ts).
 */
import * as z from '../schema/zod.ts';

/** A project id is 32 hex characters; a topic name 1-256 letters, digits, `-` and `_`. */
const TOPIC_URN = /^urn:smn:([a-z]{2,}(?:-[a-z0-9]+)+):([0-9a-f]{32}):([A-Za-z0-9][A-Za-z0-9_-]{0,255})$/;

export interface SmnTopic {
  readonly urn: string;
  readonly region: string;
  /** Lower case. */
  readonly project_id: string;
  readonly name: string;
}

export const TOPIC_URN_HINT = 'urn:smn:<region>:<project_id, 32 hex>:<topic name>';

/** The parts of a topic URN, or undefined when it is not one. */
export const parseSmnTopicUrn = (urn: string): SmnTopic | undefined => {
  if (typeof urn !== 'string' || urn.length > 400) return undefined;
  const m = TOPIC_URN.exec(urn);
  if (!m) return undefined;
  return { urn, region: m[1]!, project_id: m[2]!.toLowerCase(), name: m[3]! };
};

/** One topic URN as configured (trimmed); the error names the expected form. */
export const smnTopicUrn = z.lazySchema(() =>
  z.string().check(
    z.trim(),
    z.refine((urn) => parseSmnTopicUrn(urn) !== undefined, {
      error: `must be an SMN topic URN: ${TOPIC_URN_HINT}`,
    }),
  ),
);
