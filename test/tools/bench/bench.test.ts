/**
 * Smoke test of `npm run bench`: the script runs at a tiny size (--smoke) and prints one well-formed
 * JSON figure per line, every figure present with its target and verdict, then the summary.
 * Asserts the shape only, never a time or a ratio (the numbers at this size mean nothing).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXPECTED = [
  'bundle_requests',
  'bundle_alarms',
  'bundle_webhook',
  'cold_alarm_to_call',
  'request_latency',
  'batch_speedup',
  'alarm_to_failover',
  'rss_10k',
  'summary',
];

const runSmoke = (...extra: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', '--expose-gc', 'scripts/bench.ts', '--smoke', ...extra],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

const isNumberOrNull = (value: unknown) =>
  value === null || (typeof value === 'number' && !Number.isNaN(value));

describe('npm run bench --smoke', () => {
  it('prints one JSON figure per line, each with its target and verdict', { timeout: 180_000 }, async () => {
    const { code, stdout, stderr } = await runSmoke();
    expect(code, stderr).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    const figures = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(figures.map((f) => f['figure'])).toEqual(EXPECTED);
    for (const figure of figures) {
      expect(figure['target'] === null || typeof figure['target'] === 'string').toBe(true);
      expect([true, false, null]).toContain(figure['met']);
    }
    const byName = new Map(figures.map((f) => [f['figure'], f]));
    const request = byName.get('request_latency') ?? {};
    for (const field of [
      'dr_relay_p50_ms',
      'baseline_p50_ms',
      'ratio_p50',
      'dr_relay_p99_ms',
      'ratio_p99',
      'n',
    ]) {
      expect(typeof request[field], field).toBe('number');
    }
    expect(request['dr_relay_io']).toMatchObject({ total: expect.any(Number), by_op: expect.any(Object) });
    expect(request['baseline_io']).toMatchObject({ total: expect.any(Number), by_op: expect.any(Object) });
    expect(request['errors']).toEqual({ dr_relay: 0, baseline: 0, baseline_io_matched: 0 });
    const batch = byName.get('batch_speedup') ?? {};
    for (const field of ['batch_ms', 'sequential_ms', 'speedup'])
      expect(typeof batch[field], field).toBe('number');
    const alarm = byName.get('alarm_to_failover') ?? {};
    expect(alarm['errors']).toEqual({ dr_relay: 0, baseline: 0 });
    expect(isNumberOrNull(alarm['ratio_p50'])).toBe(true);
    // Every alert reached its failover call, through the request queue on dr-relay's side.
    expect(alarm['failover_calls']).toEqual({ dr_relay: alarm['n'], baseline: alarm['n'] });
    const cold = byName.get('cold_alarm_to_call') ?? {};
    expect(cold['errors']).toEqual({
      alarms: 0,
      alarms_baseline: 0,
      alarms_bare_post: 0,
      webhook: 0,
      webhook_baseline: 0,
    });
    expect(cold['failover_calls']).toEqual({ alarms: 1, alarms_baseline: 1, alarms_bare_post: 1 });
    for (const side of ['alarms', 'webhook']) {
      const figure = (cold[side] ?? {}) as Record<string, Record<string, unknown>>;
      expect(typeof figure['ratio_median'], `${side}.ratio_median`).toBe('number');
      expect(typeof figure['met'], `${side}.met`).toBe('boolean');
      for (const who of ['dr_relay', 'baseline']) {
        expect(figure[who]?.['to_call_ms'], `${side}.${who}`).toMatchObject({
          min: expect.any(Number),
          median: expect.any(Number),
          max: expect.any(Number),
        });
      }
    }
    for (const name of ['requests', 'alarms', 'webhook']) {
      const bundle = byName.get(`bundle_${name}`) ?? {};
      for (const field of [
        'size_kib',
        'bare_client_size_kib',
        'import_ms',
        'bare_client_import_ms',
        'ratio_import',
      ]) {
        expect(typeof bundle[field], `${name}.${field}`).toBe('number');
      }
    }
    const rss = byName.get('rss_10k') ?? {};
    expect(Array.isArray(rss['rss_mib'])).toBe(true);
    expect((rss['rss_mib'] as unknown[]).every((v) => typeof v === 'number')).toBe(true);
    expect(typeof rss['rss_growth_mib']).toBe('number');
    const summary = byName.get('summary') ?? {};
    expect(Object.keys(summary['targets'] as object)).toEqual(EXPECTED.slice(0, -1));
    // stderr ends with every target's verdict, one line each.
    for (const name of EXPECTED.slice(0, -1)) {
      expect(stderr).toMatch(new RegExp(`bench: ${name}: (met|NOT MET|informational) \\(target: `));
    }
  });

  it('--against=HEAD measures that commit beside the working tree', { timeout: 180_000 }, async () => {
    const { code, stdout, stderr } = await runSmoke('--only=bundles,cold_alarm_to_call', '--against=HEAD');
    expect(code, stderr).toBe(0);
    const figures = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, Record<string, unknown>>);
    const against = { ref: 'HEAD', commit: expect.any(String) };
    for (const figure of figures.filter((f) => String(f['figure']).startsWith('bundle_'))) {
      expect(figure['against']).toMatchObject({ ...against, import_ms: expect.any(Number) });
    }
    const cold = figures.find((f) => String(f['figure']) === 'cold_alarm_to_call') ?? {};
    for (const side of ['alarms', 'webhook']) {
      expect(cold[side]?.['against'], side).toMatchObject({ ...against, ratio_median: expect.any(Number) });
    }
    expect(Object.values(cold['errors'] ?? {}).every((count) => count === 0)).toBe(true);
  });
});
