/**
 * Only our own CloudWatch alarms can act (rule 7): every account a delivery names (the SNS alarm's
 * AWSAccountId, the account in its alarm ARN, the EventBridge `account` and `resources`, the alarm
 * action's `accountId` and `alarmArn`) must be the deployment's own account or an allowed one, and an
 * SNS delivery must come through the stack's alarm topic.
 * The own account is read from the invoked function's ARN (Lambda sets it; nothing to configure);
 * DR_AWS_ACCOUNT_IDS adds accounts (and is how the local stack, whose function ARN is made up, says
 * which account its sample events carry); DR_ALARM_TOPIC_ARN is the alarm topic. Nothing trusted
 * (no account, no topic) refuses everything: it fails closed.
 * Owns: that comparison and its refusal error. Must not touch: parsing (cloudwatch.ts), what a
 * refusal leads to (lib/intake/alarmEvent.ts).
 */

import { type Issue, ValidationError } from '../errors.ts';
import * as z from '../schema/zod.ts';
import type { CloudWatchOrigin } from './cloudwatch.ts';

const ACCOUNT_ID = /^\d{12}$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:(\d{12}):function:[^:]+(:[^:]+)?$/;

/** An AWS account id (configuration). */
export const awsAccountId = z.lazySchema(() =>
  z.string().check(z.regex(ACCOUNT_ID, 'an AWS account id is 12 digits')),
);
/** An SNS topic ARN (configuration). */
export const snsTopicArn = z.lazySchema(() =>
  z
    .string()
    .check(z.regex(SNS_TOPIC_ARN, 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic name>)')),
);

export interface CloudWatchTrust {
  /** Accounts whose alarms may act: the function's own and DR_AWS_ACCOUNT_IDS. */
  readonly accounts: ReadonlySet<string>;
  /** The only topic an SNS delivery may come through (DR_ALARM_TOPIC_ARN); none: SNS is refused. */
  readonly alarmTopicArn: string | undefined;
}

/** The account of a Lambda function ARN (the context's invokedFunctionArn), if it is one. */
export const accountOfFunctionArn = (arn: string | undefined): string | undefined =>
  arn === undefined ? undefined : FUNCTION_ARN.exec(arn)?.[1];

export const cloudWatchTrust = (options: {
  /** The invoked function's ARN (Lambda context). */
  readonly functionArn?: string | undefined;
  /** DR_AWS_ACCOUNT_IDS. */
  readonly accounts?: readonly string[] | undefined;
  /** DR_ALARM_TOPIC_ARN. */
  readonly alarmTopicArn?: string | undefined;
}): CloudWatchTrust => {
  const own = accountOfFunctionArn(options.functionArn);
  return {
    accounts: new Set([...(own === undefined ? [] : [own]), ...(options.accounts ?? [])]),
    alarmTopicArn: options.alarmTopicArn,
  };
};

const listed = (accounts: ReadonlySet<string>) =>
  accounts.size === 0
    ? 'no account is trusted: the function ARN names none and DR_AWS_ACCOUNT_IDS is not set'
    : `trusted: ${[...accounts].sort().join(', ')}`;

/** Every field of `origin` that is not ours, each with why; empty when the delivery is ours. */
export const untrustedFields = (origin: CloudWatchOrigin, trust: CloudWatchTrust): Issue[] => [
  ...origin.accounts
    .filter(({ account }) => !trust.accounts.has(account))
    .map(({ path, account }) => ({
      path,
      message: `account ${JSON.stringify(account)} is not this deployment's (${listed(trust.accounts)})`,
    })),
  ...origin.topics
    .filter(({ arn }) => arn !== trust.alarmTopicArn)
    .map(({ path, arn }) => ({
      path,
      message:
        trust.alarmTopicArn === undefined
          ? `topic ${JSON.stringify(arn)} refused: no alarm topic is configured (DR_ALARM_TOPIC_ARN)`
          : `topic ${JSON.stringify(arn)} is not the stack's alarm topic ${trust.alarmTopicArn}`,
    })),
];

/**
 * A well-formed CloudWatch delivery from outside the deployment: refused like an invalid one
 * (permanent, never retried), naming each field that is not ours.
 */
export class UntrustedAlarmError extends ValidationError {
  constructor(issues: readonly Issue[]) {
    const shown = issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`);
    const more = issues.length > 3 ? `; ${issues.length - 3} more` : '';
    super(`CloudWatch alarm refused: not from this deployment (${shown.join('; ')}${more})`, issues);
    this.name = 'UntrustedAlarmError';
  }
}

/** Throws UntrustedAlarmError unless every account and topic `origin` names is trusted. */
export const assertTrustedOrigin = (origin: CloudWatchOrigin, trust: CloudWatchTrust): void => {
  const issues = untrustedFields(origin, trust);
  if (issues.length > 0) throw new UntrustedAlarmError(issues);
};
