/**
 * Every timed child process on one and the same CPU. The CPUs of a machine need not run at the
 * same speed: on the 2-core machine these figures come from, the same bundle imports in about 110 ms
 * on CPU 0 and 77 ms on CPU 1, so unpinned samples fall on either and a median of 21 swings by
 * ±10 % from run to run. Pinned, both sides of every ratio run on the same CPU (the last one, the
 * likeliest to be spared the machine's interrupts). `taskset` (util-linux) when it is present,
 * else the command unchanged.
 * Owns: that choice. Must not touch: what the children measure.
 */
import { type SpawnSyncOptionsWithStringEncoding, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const tasksetPresent = (): boolean => spawnSync('taskset', ['--version'], { encoding: 'utf8' }).status === 0;

let pinning: readonly string[] | undefined;

/** The prefix that pins a command to the last CPU (`taskset -c N`), or none. */
export const pinPrefix = (): readonly string[] => {
  pinning ??=
    availableParallelism() > 1 && tasksetPresent()
      ? ['taskset', '-c', String(availableParallelism() - 1)]
      : [];
  return pinning;
};

/** The CPU the children run on, in words, for the figures' `method`. */
export const pinnedTo = (): string => {
  const prefix = pinPrefix();
  return prefix.length === 0
    ? 'not pinned (taskset absent or 1 CPU)'
    : `pinned to CPU ${prefix[2]} (taskset)`;
};

/** `spawnSync(process.execPath, args)`, pinned. */
export const spawnNodeSync = (args: readonly string[], options: SpawnSyncOptionsWithStringEncoding) => {
  const [command, ...prefixArgs] = [...pinPrefix(), process.execPath];
  return spawnSync(command!, [...prefixArgs, ...args], options);
};
