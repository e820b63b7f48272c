/**
 * The `Idempotency-Key` header of `POST /v1/requests` (IETF draft-ietf-httpapi-idempotency-key-header):
 * the same key with the same request answers the first answer again; with another request, 422;
 * while the first is still being handled, 409.
 * Owns: parsing the header, the request fingerprint, and items `idem#<key>` in STATE_TABLE
 * ({fingerprint, state: in_progress|done, response?, lease_until, expiration (TTL, epoch seconds)}).
 * Must not touch: request status records (`req#`), cooldowns, HTTP answers.
 */
import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from '../schema/zod.ts';
import { KEY_PREFIX } from './keys.ts';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export type ParsedIdempotencyKey =
  | { readonly ok: true; readonly key: string }
  | { readonly ok: false; readonly message: string };

/** Printable ASCII without space, double quote or comma (a comma would be two headers folded into one). */
const BARE = /^[!#-+\--~]+$/;
/** The inside of an sf-string: printable ASCII, with `\"` and `\\` as the only escapes. */
const QUOTED = /^"((?:[ !#-[\]-~]|\\["\\])*)"$/;

/**
 * Reads an `Idempotency-Key` value: an sf-string (`"abc"`, as the draft specifies) or, leniently, a
 * bare token (`abc`). The key is 1-255 printable ASCII characters once unquoted.
 */
export const parseIdempotencyKey = (value: string): ParsedIdempotencyKey => {
  const trimmed = value.trim();
  let key: string;
  const quoted = QUOTED.exec(trimmed);
  if (quoted) key = (quoted[1] ?? '').replace(/\\(["\\])/g, '$1');
  else if (BARE.test(trimmed)) key = trimmed;
  else
    return {
      ok: false,
      message:
        'Idempotency-Key must be a quoted string ("…") or a token of printable ASCII characters, sent once',
    };
  if (key.length < 1 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH)
    return { ok: false, message: `Idempotency-Key must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters` };
  return { ok: true, key };
};

/** What identifies "the same request" for one key: sha256 of method, path and raw body. */
export const requestFingerprint = (method: string, path: string, body: string): string =>
  createHash('sha256')
    .update(`${method.toUpperCase()}\n${path}\n`, 'utf8')
    .update(body, 'utf8')
    .digest('hex');

export interface StoredResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export type IdempotencyBegin =
  | { readonly kind: 'new' }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'in_progress' }
  | { readonly kind: 'mismatch' };

const ItemSchema = z.lazySchema(() =>
  z.object({
    fingerprint: z.string(),
    state: z.enum(['in_progress', 'done']),
    response: z.optional(
      z.object({ statusCode: z.number(), headers: z.record(z.string(), z.string()), body: z.string() }),
    ),
  }),
);

export class IdempotencyKeyStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #ttlSeconds: number;
  readonly #leaseSeconds: number;
  readonly #now: () => Date;

  /**
   * `ttlSeconds`: how long a key is remembered. `leaseSeconds` (default 120, above the webhook's
   * timeout): after it, a key left `in_progress` by an invocation that died may be taken over by
   * the same request, so a crash does not block the key until its TTL.
   */
  constructor(options: {
    client: DynamoDBClient;
    table: string;
    ttlSeconds: number;
    leaseSeconds?: number;
    now?: () => Date;
  }) {
    this.#client = options.client;
    this.#table = options.table;
    this.#ttlSeconds = options.ttlSeconds;
    this.#leaseSeconds = options.leaseSeconds ?? 120;
    this.#now = options.now ?? (() => new Date());
  }

  static keyOf(key: string) {
    return { id: { S: `${KEY_PREFIX.httpIdempotencyKey}${key}` } };
  }

  #seconds(): number {
    return Math.floor(this.#now().getTime() / 1000);
  }

  /** Claims `key` for the request with `fingerprint`, or says why not (and what to answer). */
  async begin(key: string, fingerprint: string): Promise<IdempotencyBegin> {
    // A few rounds: the item may be deleted (abandoned) between the refused put and the read.
    for (let round = 0; round < 3; round += 1) {
      const now = this.#seconds();
      try {
        await this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: {
              ...IdempotencyKeyStore.keyOf(key),
              ...marshall({
                fingerprint,
                state: 'in_progress',
                created_at: new Date(now * 1000).toISOString(),
                lease_until: now + this.#leaseSeconds,
                expiration: now + this.#ttlSeconds,
              }),
            },
            // Absent; or expired but not yet swept by TTL; or abandoned by a dead invocation of this same request.
            ConditionExpression:
              'attribute_not_exists(id) OR expiration <= :now OR (#state = :in_progress AND lease_until <= :now AND fingerprint = :fingerprint)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: marshall({
              ':now': now,
              ':in_progress': 'in_progress',
              ':fingerprint': fingerprint,
            }),
          }),
        );
        return { kind: 'new' };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const { Item } = await this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: IdempotencyKeyStore.keyOf(key),
          ConsistentRead: true,
        }),
      );
      if (!Item) continue;
      const item = ItemSchema.parse(unmarshall(Item));
      if (item.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (item.state === 'done' && item.response) return { kind: 'replay', response: item.response };
      return { kind: 'in_progress' };
    }
    return { kind: 'in_progress' };
  }

  /** Records the answer given for `key`; later requests with the key get it again. */
  async complete(key: string, response: StoredResponse): Promise<void> {
    const now = this.#seconds();
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: IdempotencyKeyStore.keyOf(key),
          UpdateExpression:
            'SET #state = :done, #response = :response, completed_at = :completed_at, expiration = :expiration REMOVE lease_until',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
          ExpressionAttributeValues: marshall({
            ':done': 'done',
            ':response': { statusCode: response.statusCode, headers: response.headers, body: response.body },
            ':completed_at': new Date(now * 1000).toISOString(),
            ':expiration': now + this.#ttlSeconds,
          }),
        }),
      );
    } catch (error) {
      // The key is gone (expired or abandoned meanwhile): nothing to record it on.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Forgets a key still in progress, so the client may retry with it (after a failure). */
  async abandon(key: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: IdempotencyKeyStore.keyOf(key),
          ConditionExpression: '#state = :in_progress',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: marshall({ ':in_progress': 'in_progress' }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
