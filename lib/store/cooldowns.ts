/**
 * Per-target cooldown (rule 4): at most one action per target (e.g. one DR pair) per window,
 * claimed atomically in STATE_TABLE (`cooldown#<target>`), so two different alarms firing at once
 * for the same DR pair cause one failover. The holder is the idempotency key of the request that
 * acts: its own retries keep the claim, every other request is refused until the window ends.
 * Owns: cooldown items. Must not touch: idempotency or status records.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { KEY_PREFIX } from './keys.ts';

export type CooldownClaim =
  | { readonly granted: true; readonly until: string }
  | { readonly granted: false; readonly holder: string; readonly route?: string; readonly until: string };

export class CooldownStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #now: () => Date;

  constructor(options: { client: DynamoDBClient; table: string; now?: () => Date }) {
    this.#client = options.client;
    this.#table = options.table;
    this.#now = options.now ?? (() => new Date());
  }

  /** Claims `target` for `seconds` on behalf of `holder` (granted again to the same holder). */
  async claim(target: string, holder: string, seconds: number, route?: string): Promise<CooldownClaim> {
    const now = Math.floor(this.#now().getTime() / 1000);
    const until = now + seconds;
    const key = { id: { S: `${KEY_PREFIX.cooldown}${target}` } };
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            ...key,
            ...marshall({
              holder,
              until,
              claimed_at: new Date(now * 1000).toISOString(),
              expiration: until + 86_400,
              ...(route ? { route } : {}),
            }),
          },
          ConditionExpression: 'attribute_not_exists(id) OR #until <= :now OR holder = :holder',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: marshall({ ':now': now, ':holder': holder }),
        }),
      );
      return { granted: true, until: new Date(until * 1000).toISOString() };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const held = await this.#read(target);
    return {
      granted: false,
      holder: held.holder ?? 'unknown',
      until: new Date((held.until ?? now) * 1000).toISOString(),
      ...(held.route ? { route: held.route } : {}),
    };
  }

  /** Who holds `target` now (a claim not yet run out), if anyone. */
  async holder(target: string): Promise<string | undefined> {
    const held = await this.#read(target);
    return held.holder !== undefined && (held.until ?? 0) > Math.floor(this.#now().getTime() / 1000)
      ? held.holder
      : undefined;
  }

  async #read(target: string): Promise<{ holder?: string; until?: number; route?: string }> {
    const { Item } = await this.#client.send(
      new GetItemCommand({
        TableName: this.#table,
        Key: { id: { S: `${KEY_PREFIX.cooldown}${target}` } },
        ConsistentRead: true,
      }),
    );
    return unmarshall(Item ?? {}) as { holder?: string; until?: number; route?: string };
  }

  /** Gives the target back, if `holder` still holds it (the action was not taken after all). */
  async release(target: string, holder: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: { id: { S: `${KEY_PREFIX.cooldown}${target}` } },
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: marshall({ ':holder': holder }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
