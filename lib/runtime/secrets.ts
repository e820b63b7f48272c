/**
 * Secrets from AWS Secrets Manager, shaped by a zod schema and cached across invocations (5 min by
 * default, so a rotation takes effect without a deploy). Only a successful read is cached.
 * Owns: GetSecretValue and the cache. Never puts any part of a secret value in an error or a log.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DrRelayError } from '../errors.ts';
import type * as z from '../schema/zod.ts';

const CACHE_MS = 5 * 60_000;
let client: SecretsManagerClient | undefined;

/** A provider of the secret's JSON, validated by `schema` (`expected` words the error). */
export const cachedSecret = <T>(
  secretId: string,
  schema: z.Schema<T>,
  expected: string,
  cacheMs = CACHE_MS,
): (() => Promise<T>) => {
  let cached: { value: T; until: number } | undefined;
  return async () => {
    if (cached && cached.until > Date.now()) return cached.value;
    client ??= new SecretsManagerClient({});
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    // Never JSON.parse's own error: its message quotes the secret's first characters.
    let value: unknown;
    try {
      value = JSON.parse(SecretString ?? '{}');
    } catch {
      value = undefined;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new DrRelayError(`secret ${secretId} must be JSON ${expected}`, 'permanent');
    cached = { value: parsed.data, until: Date.now() + cacheMs };
    return cached.value;
  };
};
