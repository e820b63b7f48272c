/**
 * `dr-relay help` / `--help`, per-command help, and unknown commands (usage on stderr, exit 2).
 */
import { describe, expect, it } from 'vitest';
import { runBin } from './helpers.ts';

describe('dr-relay help', () => {
  it('help, --help and -h print one usage line per command and exit 0', async () => {
    // Act
    const runs = await Promise.all([runBin(['help']), runBin(['--help']), runBin(['-h'])]);

    // Assess
    for (const run of runs) {
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /^ {2}dr-relay routes check \[file\] \[--json\] +validate the alarm routes file/m,
      );
      expect(run.stdout).toMatch(
        /^ {2}dr-relay explain <event\.json> \[--routes file\] \[--header 'Name: value' …\] \[--json\] +show what/m,
      );
      for (const line of [
        /^ {2}dr-relay dlq list \[--limit N\] \[--json\] +list the dead letters/m,
        /^ {2}dr-relay dlq show <message id \| idempotency key> \[--json\] +the full record/m,
        /^ {2}dr-relay dlq redrive \(--id <id> \[--id …\] \| --all\) \[--dry-run\] \[--verified-not-applied\] \[--json\] +send dead letters back/m,
        /^ {2}dr-relay dlq purge --yes \[--json\] +delete every dead letter/m,
        /^ {2}dr-relay send <request\.json> \[--queue\] \[--idempotency-key K\] \[--json\] +validate a request file/m,
        /^ {2}dr-relay status <request_id> \[--table\] \[--json\] \[--wait \[--timeout 30m\]\] +status, attempts/m,
        /^ {2}dr-relay approve <request_id> --by <name> \[--reason "…"\] \[--json\] +approve a request that awaits approval/m,
        /^ {2}dr-relay deny <request_id> --by <name> --reason "…" \[--json\] +deny a request that awaits approval/m,
      ])
        expect(run.stdout).toMatch(line);
      expect(run.stdout).toContain('DEAD_LETTER_QUEUE_URL (--dlq-url url)');
      expect(run.stdout).toMatch(/^ {2}dr-relay help \| --help +/m);
      expect(run.stdout).toContain(
        'status --wait: 0 the operation completed, 1 it failed (or the request was dead-lettered), 3 it stalled, the wait',
      );
      expect(run.stderr).toBe('');
    }
    expect(runs[1]!.stdout).toBe(runs[0]!.stdout);
  });

  it('<command> --help prints that command and exits 0', async () => {
    // Act
    const run = await runBin(['routes', 'check', '--help']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: dr-relay routes check [file] [--json]');
  });

  it('an unknown command prints the usage on stderr and exits 2', async () => {
    // Act
    const run = await runBin(['dlq', 'frobnicate']);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('dr-relay: unknown command "dlq frobnicate"');
    expect(run.stderr).toContain('dr-relay explain <event.json>');
    expect(run.stdout).toBe('');
  });

  it('no command, or a command group alone, exits 2', async () => {
    // Act
    const [none, group, dlq] = await Promise.all([runBin([]), runBin(['routes']), runBin(['dlq'])]);

    // Assess
    expect(none!.code).toBe(2);
    expect(none!.stderr).toContain('no command given');
    expect(group!.code).toBe(2);
    expect(group!.stderr).toContain('unknown command "routes"');
    expect(dlq!.code).toBe(2);
    expect(dlq!.stderr).toContain('unknown command "dlq"');
  });
});
