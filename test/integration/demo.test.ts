/** `npm run demo` is part of the contract: it must exit 0 and show each outcome. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm run demo', () => {
  it('exits 0 with every scenario as expected and the dead letters listed', () => {
    const run = spawnSync(
      'timeout',
      ['120', process.execPath, '--disable-warning=ExperimentalWarning', 'scripts/demo.ts'],
      {
        encoding: 'utf8',
        env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
      },
    );

    expect(run.status, run.stderr).toBe(0);
    for (const scenario of [
      'DR failover',
      'CBR server restore, delivered twice',
      'DCS restore, delivered 3 times',
      '503 twice, then succeeds',
      'never succeeds (503 always)',
      'failover times out after taking effect',
      'DR recovery after the failover',
      'invalid request',
      'alarm: Alertmanager DWSPrimaryDown fir',
      'alarm: the same alert re-notified',
      'alarm: Cloud Eye (SMN), same DR pair',
    ]) {
      expect(run.stdout).toMatch(new RegExp(`✔ ${scenario.replace(/[()]/g, '\\$&')}`));
    }
    expect(run.stdout).toContain('dead-letter queue (2)');
    expect(run.stdout).toContain('all outcomes as expected');
  }, 150_000);
});
