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
        /^ {2}dr-relay explain <event\.json> \[--routes file\] \[--json\] +show what/m,
      );
      expect(run.stdout).toMatch(/^ {2}dr-relay help \| --help +/m);
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
    const run = await runBin(['dlq', 'list']);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('dr-relay: unknown command "dlq list"');
    expect(run.stderr).toContain('dr-relay explain <event.json>');
    expect(run.stdout).toBe('');
  });

  it('no command, or a command group alone, exits 2', async () => {
    // Act
    const [none, group] = await Promise.all([runBin([]), runBin(['routes'])]);

    // Assess
    expect(none!.code).toBe(2);
    expect(none!.stderr).toContain('no command given');
    expect(group!.code).toBe(2);
    expect(group!.stderr).toContain('unknown command "routes"');
  });
});
