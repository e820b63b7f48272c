/**
 * The policy evaluator the template tests judge topic policies with (test/deploy/policy.ts): it must
 * decide as IAM does for the statements it accepts, or the template tests prove nothing.
 */
import { describe, expect, it } from 'vitest';
import { evaluatePolicy, type PolicyRequest, type PolicyStatement } from './policy.ts';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:topic';
const fromCloudWatch = (account: string): PolicyRequest => ({
  principal: { Service: 'cloudwatch.amazonaws.com' },
  action: 'sns:Publish',
  resource: TOPIC,
  context: {
    'aws:SourceAccount': account,
    'aws:SourceArn': `arn:aws:cloudwatch:eu-west-1:${account}:alarm:a`,
  },
});
const fromUser: PolicyRequest = {
  principal: { AWS: 'arn:aws:iam::111122223333:user/ops' },
  action: 'sns:Publish',
  resource: TOPIC,
};
const allowCloudWatch: PolicyStatement = {
  Sid: 'allow',
  Effect: 'Allow',
  Principal: { Service: 'cloudwatch.amazonaws.com' },
  Action: 'sns:Publish',
  Resource: TOPIC,
  Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
};

describe('evaluatePolicy', () => {
  it('allows a service principal whose conditions hold, and no one else (implicitly)', () => {
    // Act
    const own = evaluatePolicy([allowCloudWatch], fromCloudWatch('111122223333'));
    const other = evaluatePolicy([allowCloudWatch], fromCloudWatch('999999999999'));
    const user = evaluatePolicy([allowCloudWatch], fromUser);

    // Assess
    expect(own).toEqual({ decision: 'allow', by: ['allow'] });
    expect(other.decision).toBe('implicit-deny');
    expect(user.decision).toBe('implicit-deny');
  });

  it('treats a key the request lacks as not equal (negated operators hold), as IAM does', () => {
    // Prepare
    const deny: PolicyStatement = {
      Sid: 'deny',
      Effect: 'Deny',
      Principal: '*',
      Action: 'sns:Publish',
      Resource: TOPIC,
      Condition: { StringNotEquals: { 'aws:SourceAccount': '111122223333' } },
    };

    // Act
    const user = evaluatePolicy([allowCloudWatch, deny], fromUser);
    const own = evaluatePolicy([allowCloudWatch, deny], fromCloudWatch('111122223333'));

    // Assess
    expect(user).toEqual({ decision: 'explicit-deny', by: ['deny'] });
    expect(own.decision).toBe('allow');
  });

  it('lets a matching Deny win over a matching Allow', () => {
    // Prepare
    const denyAll: PolicyStatement = { Effect: 'Deny', Principal: '*', Action: 'sns:*', Resource: '*' };

    // Act
    const result = evaluatePolicy([allowCloudWatch, denyAll], fromCloudWatch('111122223333'));

    // Assess
    expect(result.decision).toBe('explicit-deny');
  });

  it('matches ARN patterns with * and ?, and actions case-insensitively', () => {
    // Prepare
    const statement: PolicyStatement = {
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'SNS:Publish',
      Resource: TOPIC,
      Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:?' } },
    };

    // Act
    const matching = evaluatePolicy([statement], fromCloudWatch('111122223333'));
    const longer = evaluatePolicy([statement], {
      ...fromCloudWatch('111122223333'),
      context: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:ab' },
    });

    // Assess
    expect(matching.decision).toBe('allow');
    expect(longer.decision).toBe('implicit-deny');
  });

  it('refuses to judge a condition operator it does not know', () => {
    // Prepare
    const statement: PolicyStatement = {
      ...allowCloudWatch,
      Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
    };

    // Act
    const judge = () => evaluatePolicy([statement], fromCloudWatch('111122223333'));

    // Assess
    expect(judge).toThrow(/NumericLessThan/);
  });
});
