/**
 * The parent side of the bench backend: forks tools/bench/backend.ts (the same Node, its output sent
 * to this process's stderr so stdout stays one JSON figure per line), waits for READY, and calls its
 * commands over IPC. Owns: the child's lifetime.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BackendConfig, BackendReady, Command, Commands, Reply } from './protocol.ts';

const BACKEND = fileURLToPath(new URL('./backend.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;

export interface Backend {
  readonly ready: BackendReady;
  call<C extends Command>(cmd: C, args?: Commands[C]['args']): Promise<Commands[C]['result']>;
  stop(): Promise<void>;
}

export const startBackend = async (config: BackendConfig): Promise<Backend> => {
  const child = fork(BACKEND, [JSON.stringify(config)], {
    execArgv: ['--disable-warning=ExperimentalWarning', '--expose-gc'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.pipe(process.stderr);
  child.stderr?.pipe(process.stderr);
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let exited = false;
  const exitedEarly = new Promise<never>((_, reject) => {
    child.once('exit', (code) => {
      exited = true;
      const error = new Error(`bench backend exited (code ${code})`);
      for (const { reject: fail } of pending.values()) fail(error);
      pending.clear();
      reject(error);
    });
  });
  exitedEarly.catch(() => undefined);

  const ready = await Promise.race([
    new Promise<BackendReady>((resolve) => {
      child.on('message', (message: BackendReady | Reply) => {
        if ('type' in message && message.type === 'ready') return resolve(message);
        const reply = message as Reply;
        const waiter = pending.get(reply.id);
        if (!waiter) return;
        pending.delete(reply.id);
        if (reply.ok) waiter.resolve(reply.result);
        else waiter.reject(new Error(`backend: ${reply.error}`));
      });
    }),
    exitedEarly,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('bench backend did not start')), START_TIMEOUT_MS).unref(),
    ),
  ]);

  let next = 0;
  const call = <C extends Command>(cmd: C, args?: Commands[C]['args']): Promise<Commands[C]['result']> => {
    if (exited) return Promise.reject(new Error('bench backend has exited'));
    const id = ++next;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, cmd, args: args ?? {} });
    });
  };
  return {
    ready,
    call,
    stop: async () => {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      await call('stop').catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
};
