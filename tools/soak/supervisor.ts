/**
 * Runs the worker child and kills it: at random moments spread over the traffic it waits for a batch
 * in flight, lets it run a random 20-300 ms, and if a batch is still in flight then, SIGKILLs the worker (no cleanup, no
 * partial batch response, nothing deleted) and starts a new one 0.5-1 s later, until `kills` kills.
 * It tracks what the worker reported: batches, records, receives, and which records were in flight
 * at each kill and later came back. A worker that dies without being killed is counted too.
 * Owns: the worker's lifetime and the kill schedule. Must not touch: the handler.
 */
import { fileURLToPath } from 'node:url';
import { type Child, forkChild } from './child.ts';
import type { Random } from './plan.ts';
import type { WorkerCommands, WorkerConfig, WorkerEvent } from './protocol.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface Kill {
  readonly at: number;
  /** Batches and records the worker had in flight (handed to the handler, not yet done). */
  readonly batchesInFlight: number;
  readonly recordsInFlight: number;
  /** The idempotency keys of the records in flight. */
  readonly keysInFlight: readonly string[];
}

export interface WorkerStats {
  readonly kills: readonly Kill[];
  readonly starts: number;
  /** Exits the soak did not cause. */
  readonly unexpectedExits: number;
  readonly batches: number;
  readonly records: number;
  /** Records received again (ApproximateReceiveCount > 1). */
  readonly redeliveries: number;
  /** Records that were in flight at a kill, and how many of them were received again afterwards. */
  readonly inFlightAtKills: number;
  readonly inFlightAtKillsRedelivered: number;
  readonly batchErrors: number;
}

export interface SupervisorOptions {
  readonly config: WorkerConfig;
  readonly logFile: string;
  readonly kills: number;
  /** The kills are spread over this long from startKilling (kill i near (i+1)/(kills+1) of it). */
  readonly spanMs: number;
  readonly random: Random;
  readonly progress: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class WorkerSupervisor {
  readonly #options: SupervisorOptions;
  #child: Child<unknown, WorkerCommands> | undefined;
  #generation = 0;
  #killing = false;
  #stopped = false;
  #killsOff = false;
  readonly #inFlight = new Map<number, { ids: string[]; keys: string[] }>();
  readonly #kills: Kill[] = [];
  readonly #killedIds = new Set<string>();
  readonly #killedBack = new Set<string>();
  #starts = 0;
  #unexpectedExits = 0;
  #batches = 0;
  #records = 0;
  #redeliveries = 0;
  #batchErrors = 0;
  #loop: Promise<void> | undefined;

  constructor(options: SupervisorOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    await this.#spawn();
  }

  /** Starts the kill schedule in the background. */
  startKilling(): void {
    this.#loop ??= this.#killLoop().catch((error: unknown) => {
      this.#options.progress(`kill loop failed: ${(error as Error).message}`);
    });
  }

  get stats(): WorkerStats {
    return {
      kills: [...this.#kills],
      starts: this.#starts,
      unexpectedExits: this.#unexpectedExits,
      batches: this.#batches,
      records: this.#records,
      redeliveries: this.#redeliveries,
      inFlightAtKills: this.#killedIds.size,
      inFlightAtKillsRedelivered: this.#killedBack.size,
      batchErrors: this.#batchErrors,
    };
  }

  /** Stops killing, waits for the loop, then stops the worker gracefully. */
  async stop(): Promise<void> {
    this.#killsOff = true;
    await this.#loop;
    this.#stopped = true;
    await this.#child?.stop();
  }

  /** Stops the kill schedule only (the worker keeps running). */
  async stopKilling(): Promise<void> {
    this.#killsOff = true;
    await this.#loop;
  }

  #onEvent(generation: number, event: WorkerEvent): void {
    if (generation !== this.#generation) return;
    if (event.type === 'batch-start') {
      this.#batches++;
      this.#records += event.records.length;
      const ids = event.records.map(([id]) => id);
      const keys = event.records.map(([, , key]) => key);
      for (const [id, receives] of event.records) {
        if (receives > 1) this.#redeliveries++;
        if (this.#killedIds.has(id)) this.#killedBack.add(id);
      }
      this.#inFlight.set(event.batch, { ids, keys });
    } else {
      this.#inFlight.delete(event.batch);
      if (event.error) this.#batchErrors++;
    }
  }

  async #spawn(): Promise<void> {
    const generation = ++this.#generation;
    this.#inFlight.clear();
    const child = await forkChild<unknown, WorkerCommands>({
      script: WORKER,
      config: this.#options.config,
      logFile: this.#options.logFile,
      onEvent: (message) => this.#onEvent(generation, message as WorkerEvent),
    });
    this.#starts++;
    this.#child = child;
    void child.exited.then(async (code) => {
      if (this.#killing || generation !== this.#generation || this.#stopped) return;
      // Died on its own: that is a finding. Start another one so the run can finish.
      this.#unexpectedExits++;
      this.#options.progress(`worker exited unexpectedly (${code}); restarting`);
      await sleep(500);
      if (!this.#stopped && generation === this.#generation) await this.#spawn();
    });
  }

  async #killLoop(): Promise<void> {
    const { random, kills, spanMs } = this.#options;
    const start = Date.now();
    while (!this.#killsOff && this.#kills.length < kills) {
      const slot = (spanMs * (this.#kills.length + 1)) / (kills + 1);
      const until = Math.max(Date.now() + 1_000, start + slot * (0.7 + 0.3 * random()));
      while (!this.#killsOff && Date.now() < until) await sleep(50);
      // Armed: wait for a batch in flight, let it run a little, kill if one is still in flight.
      while (!this.#killsOff) {
        if (this.#inFlight.size > 0) {
          await sleep(20 + random() * 280);
          if (this.#inFlight.size > 0) break;
        } else {
          await sleep(5);
        }
      }
      if (this.#killsOff) return;
      const child = this.#child;
      if (!child) continue;
      const inFlight = [...this.#inFlight.values()];
      this.#killing = true;
      child.kill('SIGKILL');
      this.#kills.push({
        at: Date.now(),
        batchesInFlight: inFlight.length,
        recordsInFlight: inFlight.reduce((n, b) => n + b.ids.length, 0),
        keysInFlight: inFlight.flatMap((b) => b.keys),
      });
      for (const b of inFlight) for (const id of b.ids) this.#killedIds.add(id);
      await child.exited;
      this.#options.progress(
        `killed the worker (pid ${child.pid}) with ${inFlight.length} batch(es) in flight (${this.#kills.length}/${kills})`,
      );
      await sleep(500 + random() * 500);
      this.#killing = false;
      await this.#spawn();
    }
  }
}
