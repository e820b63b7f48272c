/**
 * Shared by the alarm-source tests: loading the sample events (events/alarms/), copying them with
 * one change, and catching the ValidationError an input must produce. Owns: test plumbing only.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { ValidationError } from '../../lib/errors.ts';

export const SAMPLE_FILES = [
  'cloudwatch-sns-alarm.json',
  'cloudwatch-sns-ok.json',
  'cloudwatch-eventbridge-alarm.json',
  'cloudwatch-eventbridge-ok.json',
  'cloudwatch-lambda-action-alarm.json',
  'cloudwatch-composite-suppressed-lambda-action.json',
  'cloudwatch-composite-suppressed-eventbridge.json',
  'alertmanager-firing.json',
  'alertmanager-no-fingerprint.json',
  'alertmanager-repeat.json',
  'alertmanager-resolved.json',
  'grafana-firing.json',
  'grafana-resolved.json',
  'cloud-eye-smn-alarm.json',
  'cloud-eye-smn-ok.json',
  'cloud-eye-smn-subscription.json',
  'cloud-eye-smn-subscription-regional.json',
] as const;
export type SampleFile = (typeof SAMPLE_FILES)[number];

// biome-ignore lint/suspicious/noExplicitAny: samples are JSON documents that tests reach into freely
export type Json = any;

/** A fresh copy of a sample event each call (tests may change it). */
export const loadEvent = (file: SampleFile): Json =>
  JSON.parse(readFileSync(new URL(`../../events/alarms/${file}`, import.meta.url), 'utf8'));

/** A deep copy of `value` after `change` ran on it. */
export const changed = <T>(value: T, change: (copy: Json) => void): T => {
  const copy = structuredClone(value) as Json;
  change(copy);
  return copy as T;
};

const check = (error: unknown, path: string): ValidationError => {
  expect(error, `expected a ValidationError, got ${String(error)}`).toBeInstanceOf(ValidationError);
  const v = error as ValidationError;
  expect(v.kind).toBe('permanent');
  expect(v.issues.map((i) => i.path)).toContain(path);
  for (const issue of v.issues) expect(v.message).toContain(`${issue.path}: ${issue.message}`);
  return v;
};

/** Runs `act`, expects a ValidationError with an issue at `path`, and returns it. */
export const validationErrorOf = (act: () => unknown, path: string): ValidationError => {
  let thrown: unknown;
  try {
    act();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a ValidationError, nothing was thrown').toBeDefined();
  return check(thrown, path);
};

/** Same for a promise. */
export const rejectionOf = async (act: () => Promise<unknown>, path: string): Promise<ValidationError> => {
  let thrown: unknown;
  try {
    await act();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a ValidationError, nothing was thrown').toBeDefined();
  return check(thrown, path);
};
