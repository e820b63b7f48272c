/**
 * Stateful Huawei Cloud API simulator (DWS disaster recovery, CSBS, DCS and CBR restores) for the local
 * stack, the demo and integration tests: an in-process node:http server on loopback that verifies
 * AK/SK signatures like Huawei's API gateway, keeps state per (project, resource), injects faults
 * and keeps a call log. Owns: startSimulator and the public API; the behaviour lives in the
 * sibling modules (auth, routes, faults, callLog, dws, csbs, dcs, cbr, server).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCallLog } from './callLog.ts';
import { createCbr } from './cbr.ts';
import { createCsbs } from './csbs.ts';
import { createDcs } from './dcs.ts';
import { createDws } from './dws.ts';
import { createFaults } from './faults.ts';
import { createPipeline } from './server.ts';
import type { Simulator, SimulatorOptions } from './types.ts';

export { CBR_DISK_PROVIDER, CBR_SERVER_PROVIDER, DEFAULT_CBR_TASK_ERROR } from './cbr.ts';
export { CSBS_PROVIDER_ID } from './csbs.ts';
export type {
  CallLogEntry,
  CbrInit,
  CbrRestoreAnswer,
  CsbsInit,
  DcsBackup,
  DcsInit,
  DcsPastRestore,
  DcsRecordOrder,
  FaultRule,
  RouteId,
  Simulator,
  SimulatorOptions,
} from './types.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export const startSimulator = async (options: SimulatorOptions): Promise<Simulator> => {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`simulator: loopback only, refusing host ${host}`);
  const now = options.now ?? Date.now;
  const transitionMs = options.transitionMs ?? 1500;
  const restoreMs = options.restoreMs ?? 2000;

  const dws = createDws({ transitionMs, now });
  const csbs = createCsbs({ restoreMs, now });
  const dcs = createDcs({ restoreMs, now, order: options.dcsRecordOrder ?? 'newest-first' });
  const cbr = createCbr({ restoreMs, now, answer: options.cbrRestoreAnswer ?? 'job_id' });
  const faults = createFaults(options.seed ?? 1);
  const log = createCallLog();
  const pipeline = createPipeline({
    now,
    hangMs: options.hangMs ?? 30_000,
    credentials: new Map(options.credentials.map(({ ak, sk }) => [ak, sk])),
    faults,
    log,
    handlers: { ...dws.handlers, ...csbs.handlers, ...dcs.handlers, ...cbr.handlers },
  });

  const server = createServer((req, res) => {
    void pipeline.handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${port}`,
    calls: log.entries,
    seed: { drPair: dws.seed, csbsCheckpointItem: csbs.seed, dcsInstance: dcs.seed, cbrBackup: cbr.seed },
    faults: { add: faults.add, clear: faults.clear },
    drPair: dws.view,
    checkpointItem: csbs.view,
    dcsRestores: dcs.restores,
    cbrBackup: cbr.view,
    cbrTasks: cbr.tasks,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        pipeline.release();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
};
