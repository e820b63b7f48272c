/**
 * A child process of the soak, forked with the same Node (type stripping), its output appended to a
 * log file: waits for its `ready` message, calls its commands over IPC (id-matched replies), hands
 * every other message to `onEvent`, and can be SIGKILLed. The same idea as tools/bench/backendClient.ts,
 * for any child and with a kill switch. Owns: one child's lifetime.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { CommandMessage, Reply } from './protocol.ts';

export interface ChildOptions {
  readonly script: string;
  readonly config: unknown;
  readonly logFile: string;
  readonly startTimeoutMs?: number;
  /** A command not answered by then fails (the run stays bounded). */
  readonly callTimeoutMs?: number;
  readonly onEvent?: (message: unknown) => void;
}

export interface Child<Ready, Commands extends CommandTable<Commands>> {
  readonly pid: number;
  readonly ready: Ready;
  /** Resolves with the exit code (or the signal's name) once the child is gone. */
  readonly exited: Promise<number | string>;
  readonly alive: () => boolean;
  call<C extends keyof Commands & string>(cmd: C, args: Commands[C]['args']): Promise<Commands[C]['result']>;
  kill(signal: NodeJS.Signals): void;
  /** Asks it to stop (`stop` command), and SIGKILLs it if it is still there after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Command name -> its argument and result types. */
export type CommandTable<T> = { [C in keyof T]: { args: unknown; result: unknown } };

const isReply = (message: unknown): message is Reply =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'reply';

export const forkChild = async <Ready, Commands extends CommandTable<Commands>>(
  options: ChildOptions,
): Promise<Child<Ready, Commands>> => {
  const log = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = fork(options.script, [JSON.stringify(options.config)], {
      execArgv: ['--disable-warning=ExperimentalWarning'],
      stdio: ['ignore', log, log, 'ipc'],
    });
  } finally {
    closeSync(log);
  }
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let gone = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      gone = true;
      for (const { reject } of pending.values()) reject(new Error(`${options.script} exited`));
      pending.clear();
      resolve(signal ?? code ?? -1);
    });
  });
  let markReady: (ready: Ready) => void = () => undefined;
  const readyMessage = new Promise<Ready>((resolve) => {
    markReady = resolve;
  });
  child.on('message', (message: unknown) => {
    if (isReply(message)) {
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${options.script}: ${message.error}`));
      return;
    }
    if ((message as { type?: unknown }).type === 'ready') markReady(message as Ready);
    else options.onEvent?.(message);
  });
  child.on('error', () => undefined);

  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([
    readyMessage,
    exited.then((code) => Promise.reject(new Error(`${options.script} exited before ready (${code})`))),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${options.script} not ready in time`)),
        options.startTimeoutMs ?? 60_000,
      );
    }),
  ]).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  clearTimeout(timer);

  let next = 0;
  const call = <C extends keyof Commands & string>(
    cmd: C,
    args: Commands[C]['args'],
  ): Promise<Commands[C]['result']> => {
    if (gone || !child.connected) return Promise.reject(new Error(`${options.script} is not running`));
    const id = ++next;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${options.script}: ${cmd} not answered in time`));
      }, options.callTimeoutMs ?? 60_000);
      pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as Commands[C]['result']);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      const message: CommandMessage = { id, cmd, args };
      child.send(message, (error) => {
        if (!error) return;
        pending.delete(id);
        reject(error);
      });
    });
  };
  const kill = (signal: NodeJS.Signals) => {
    if (!gone) child.kill(signal);
  };
  return {
    pid: child.pid ?? -1,
    ready,
    exited,
    alive: () => !gone,
    call,
    kill,
    stop: async (graceMs = 10_000) => {
      if (gone) return;
      await call('stop' as keyof Commands & string, {} as Commands[keyof Commands & string]['args']).catch(
        () => undefined,
      );
      const force = setTimeout(() => kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(force);
    },
  };
};

/** The child side: answers commands with `handlers` and reports `ready`. */
export const serveCommands = (
  handlers: Record<string, (args: never) => unknown>,
  onStop: () => Promise<void>,
): void => {
  process.on('message', async (message: CommandMessage) => {
    const reply = (answer: Reply) => {
      if (process.connected) process.send?.(answer);
    };
    try {
      const handle = handlers[message.cmd] as ((args: unknown) => unknown) | undefined;
      if (!handle) throw new Error(`unknown command ${message.cmd}`);
      reply({ type: 'reply', id: message.id, ok: true, result: await handle(message.args) });
      if (message.cmd === 'stop') await onStop().finally(() => process.exit(0));
    } catch (error) {
      reply({ type: 'reply', id: message.id, ok: false, error: (error as Error).message });
    }
  });
  // The parent went away: do not linger.
  process.on('disconnect', () => void onStop().finally(() => process.exit(0)));
};

/** Reports something to the parent, if it is still there. */
export const report = (message: unknown): void => {
  if (process.connected) process.send?.(message);
};
