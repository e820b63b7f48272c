/**
 * Settings an operator changes at run time, kept in STATE_TABLE so they take effect within seconds
 * and without a deploy: today the automation mode (`setting#automation`).
 *   on       act
 *   dry-run  sign and log every call, never send; recorded under the `dry-run:` key space, so a
 *            later real run of the same episode or request_id still acts
 *   off      pause: nothing is consumed or lost; queued work waits and runs when switched back on
 * Owns: the setting items. Must not touch: status, cooldown or idempotency items.
 */
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from '../schema/zod.ts';
import { KEY_PREFIX } from './keys.ts';

export const AUTOMATION_MODES = ['on', 'dry-run', 'off'] as const;
export type AutomationMode = (typeof AUTOMATION_MODES)[number];

const ModeItemSchema = z.lazySchema(() =>
  z.object({
    mode: z.enum(AUTOMATION_MODES),
    updated_at: z.string(),
    by: z.optional(z.string()),
  }),
);
export type ModeSetting = z.infer<typeof ModeItemSchema>;

const MODE_KEY = { id: { S: `${KEY_PREFIX.setting}automation` } };

export class SettingsStore {
  readonly #client: Pick<DynamoDBClient, 'send'>;
  readonly #table: string;
  readonly #now: () => Date;

  constructor(options: { client: Pick<DynamoDBClient, 'send'>; table: string; now?: () => Date }) {
    this.#client = options.client;
    this.#table = options.table;
    this.#now = options.now ?? (() => new Date());
  }

  /** The stored mode; undefined when none was ever set (the deployment's DR_AUTOMATION applies). */
  async mode(): Promise<ModeSetting | undefined> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: MODE_KEY, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const parsed = ModeItemSchema.safeParse(unmarshall(Item));
    return parsed.success ? parsed.data : undefined;
  }

  async setMode(mode: AutomationMode, by?: string): Promise<ModeSetting> {
    const setting: ModeSetting = { mode, updated_at: this.#now().toISOString(), ...(by ? { by } : {}) };
    await this.#client.send(
      new PutItemCommand({ TableName: this.#table, Item: { ...MODE_KEY, ...marshall(setting) } }),
    );
    return setting;
  }
}

/**
 * The mode in force, read from the store at most every `maxAgeMs` (default 30 s) and shared by the
 * invocations of one process (concurrent callers share one read). No stored setting: the deployment's default. A failed read keeps the
 * last known mode (never silently switches to `on`), or the default before any read succeeded.
 */
export const modeReader = (
  store: Pick<SettingsStore, 'mode'>,
  fallback: AutomationMode,
  options: { maxAgeMs?: number; now?: () => number } = {},
): (() => Promise<AutomationMode>) => {
  const maxAgeMs = options.maxAgeMs ?? 30_000;
  const now = options.now ?? Date.now;
  let known: { mode: AutomationMode; at: number } | undefined;
  /** The read under way: the records of a batch that find the cache stale share it (one GetItem). */
  let reading: Promise<AutomationMode> | undefined;
  const read = async (): Promise<AutomationMode> => {
    try {
      known = { mode: (await store.mode())?.mode ?? fallback, at: now() };
      return known.mode;
    } catch {
      return known?.mode ?? fallback;
    } finally {
      reading = undefined;
    }
  };
  return async () => {
    if (known && now() - known.at < maxAgeMs) return known.mode;
    reading ??= read();
    return reading;
  };
};
