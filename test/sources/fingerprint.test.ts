/**
 * labelSetFingerprint is Alertmanager's `fingerprint`: prometheus/common model
 * LabelSet.Fingerprint() (FNV-1a 64 over the sorted label names and values, each followed by 0xff)
 * written as 16 lower-case hex digits. Checked against prometheus/common's own test vectors
 * (model/signature_test.go) and against fingerprints a real Alertmanager 0.25.0 sent.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labelSetFingerprint } from '../../lib/sources/fingerprint.ts';
import { loadEvent } from './helpers.ts';

/** The definition, written the slow and obvious way (BigInt), to compare the fast one with. */
const reference = (labels: Record<string, string>): string => {
  const prime = 0x100000001b3n;
  let hash = 0xcbf29ce484222325n;
  const names = Object.keys(labels).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of names) {
    for (const byte of [...Buffer.from(name), 0xff, ...Buffer.from(labels[name]!), 0xff]) {
      hash = ((hash ^ BigInt(byte)) * prime) & 0xffff_ffff_ffff_ffffn;
    }
  }
  return hash.toString(16).padStart(16, '0');
};

const hex = (decimal: string) => BigInt(decimal).toString(16).padStart(16, '0');

describe('labelSetFingerprint: prometheus/common model/signature_test.go', () => {
  it.each<[string, Record<string, string>, string]>([
    ['the empty label set (the FNV offset basis)', {}, '14695981039346656037'],
    [
      'TestMetricToFingerprint',
      { name: 'garland, briggs', fear: 'love is not enough' },
      '5799056148416392346',
    ],
    ['BenchmarkMetricToFingerprintSingle', { 'first-label': 'first-label-value' }, '5146282821936882169'],
    [
      'BenchmarkMetricToFingerprintDouble',
      { 'first-label': 'first-label-value', 'second-label': 'second-label-value' },
      '3195800080984914717',
    ],
    [
      'BenchmarkMetricToFingerprintTriple',
      {
        'first-label': 'first-label-value',
        'second-label': 'second-label-value',
        'third-label': 'third-label-value',
      },
      '13843036195897128121',
    ],
  ])('%s', (_name, labels, decimal) => {
    // Act
    const fingerprint = labelSetFingerprint(labels);

    // Assess
    expect(fingerprint).toBe(hex(decimal));
  });
});

describe('labelSetFingerprint: what a real Alertmanager 0.25.0 sent', () => {
  // Captured from Debian's prometheus-alertmanager 0.25.0-1+b4: the labels posted to
  // /api/v2/alerts, the fingerprints read from the webhook notification it sent.
  it('reproduces both fingerprints of events/alarms/alertmanager-firing.json from their labels', () => {
    // Prepare
    const { alerts } = loadEvent('alertmanager-firing.json');

    // Act
    const fingerprints = alerts.map((a: { labels: Record<string, string> }) => labelSetFingerprint(a.labels));

    // Assess
    expect(fingerprints).toEqual(['69bbfc3e9ae0925b', 'd15e56fa76b33765']);
    expect(fingerprints).toEqual(alerts.map((a: { fingerprint: string }) => a.fingerprint));
  });

  it('sorts names byte-wise (upper case, then _, then lower case) and hashes values as UTF-8', () => {
    // Prepare
    const labels = {
      alertname: 'UnicodeProbe',
      Zone: 'Zürich',
      _private: 'x',
      zone: '東京 🚀',
      a_b: '1',
      aB: '2',
      empty_looking: ' ',
    };

    // Act
    const fingerprint = labelSetFingerprint(labels);

    // Assess
    expect(fingerprint).toBe('b90924c883379384');
  });
});

describe('labelSetFingerprint: properties', () => {
  const labelSets = fc.dictionary(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ unit: 'binary' }),
    {
      maxKeys: 8,
    },
  );

  it('equals the BigInt definition for any label set (any UTF-8, any length)', () => {
    fc.assert(
      fc.property(labelSets, (labels) => {
        expect(labelSetFingerprint(labels)).toBe(reference(labels));
      }),
      { numRuns: 2_000, seed: 9 },
    );
  });

  it('does not depend on the order the labels arrive in, and is always 16 lower-case hex digits', () => {
    fc.assert(
      fc.property(labelSets, (labels) => {
        const reversed = Object.fromEntries(Object.entries(labels).reverse());
        expect(labelSetFingerprint(reversed)).toBe(labelSetFingerprint(labels));
        expect(labelSetFingerprint(labels)).toMatch(/^[0-9a-f]{16}$/);
      }),
      { numRuns: 500, seed: 9 },
    );
  });
});
