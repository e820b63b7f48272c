/**
 * Deterministic workloads for the local stack (demo, integration tests, soak): distinct targets,
 * valid UUIDs, and seeding the simulator with the resource each request needs.
 * Owns: generated requests and their simulator fixtures. Must not touch: the handler path.
 */
import { createHash } from 'node:crypto';
import type { ActionRequest } from '../../lib/actions/request.ts';
import type { Simulator } from '../simulator/index.ts';

export const PROJECT = '89cd04f168b84af6be287f71730fdb4b';

/** A stable UUID-shaped id derived from a label. */
export const uuidOf = (label: string): string => {
  const h = createHash('sha256').update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

export type Kind = 'dws.dr.start' | 'dws.dr.failover' | 'csbs.restore' | 'dcs.restore' | 'cbr.restore';
/**
 * The rotation of kinds: the first four as before (tests pick requests by index), then CBR; half of
 * every six are DWS pairs, as the soak's companion requests need (tools/soak/options.ts).
 */
export const KINDS: readonly Kind[] = [
  'dws.dr.start',
  'dws.dr.failover',
  'csbs.restore',
  'dcs.restore',
  'dws.dr.failover',
  'cbr.restore',
];

/** Request n of a run: a distinct resource per request; every other one carries a request_id. */
export const requestFor = (run: string, n: number): ActionRequest => {
  const kind = KINDS[n % KINDS.length] as Kind;
  const id = (what: string) => uuidOf(`${run}/${n}/${what}`);
  const base = {
    region: 'cn-north-4',
    project_id: PROJECT,
    ...(n % 2 === 0 ? { request_id: `${run}-${n}` } : {}),
  };
  switch (kind) {
    case 'dws.dr.start':
    case 'dws.dr.failover':
      return { ...base, action: kind, params: { disaster_recovery_id: id('dr') } };
    case 'csbs.restore':
      return {
        ...base,
        action: kind,
        params: {
          checkpoint_id: id('checkpoint'),
          parameters: {
            checkpoint_item_id: id('item'),
            power_on: true,
            targets: {
              server_id: id('server'),
              volumes: [{ backup_id: id('volume-backup'), volume_id: id('volume') }],
            },
          },
        },
      };
    case 'dcs.restore':
      return {
        ...base,
        action: kind,
        params: { instance_id: id('instance'), backup_id: id('backup'), remark: run },
      };
    case 'cbr.restore':
      // A whole-server restore: the server backup, and one disk mapped from its disk backup.
      return {
        ...base,
        action: kind,
        params: {
          backup_id: id('cbr-backup'),
          server_id: id('cbr-server'),
          power_on: true,
          mappings: [{ backup_id: id('cbr-disk-backup'), volume_id: id('cbr-disk') }],
        },
      };
  }
};

/** Creates, in the simulator, the resource a request acts on, in a state that lets it succeed. */
export const seedFor = (sim: Simulator, request: ActionRequest): void => {
  switch (request.action) {
    case 'dws.dr.start':
      sim.seed.drPair(request.project_id, request.params.disaster_recovery_id, { status: 'unstart' });
      return;
    case 'dws.dr.failover':
      sim.seed.drPair(request.project_id, request.params.disaster_recovery_id, { status: 'running' });
      return;
    case 'dws.dr.recovery':
      // Recovery follows a failover: the pair starts running, and a failover must come first.
      sim.seed.drPair(request.project_id, request.params.disaster_recovery_id, { status: 'running' });
      return;
    case 'csbs.restore':
      sim.seed.csbsCheckpointItem(request.project_id, request.params.parameters.checkpoint_item_id ?? '', {
        checkpointId: request.params.checkpoint_id,
        serverId: request.params.parameters.targets.server_id ?? uuidOf('server'),
      });
      return;
    case 'dcs.restore':
      // Its backup exists, so `dr-relay doctor` finds it.
      sim.seed.dcsInstance(request.project_id, request.params.instance_id, {
        mode: 'ha',
        backups: [{ backupId: request.params.backup_id }],
      });
      return;
    case 'cbr.restore': {
      // The backup of the restored server (or disk), available, its disk backups as the mappings name them.
      const { backup_id, server_id, volume_id, mappings } = request.params;
      sim.seed.cbrBackup(request.project_id, backup_id, {
        resourceId: server_id ?? volume_id ?? uuidOf(`${backup_id}/resource`),
        resourceType: server_id === undefined ? 'OS::Cinder::Volume' : 'OS::Nova::Server',
        disks: (mappings ?? []).map((m) => ({ backupId: m.backup_id, volumeId: m.volume_id })),
      });
      return;
    }
  }
};

/** The simulator's resource id for a request (what its call log entries carry). */
export const resourceOf = (request: ActionRequest): string => {
  switch (request.action) {
    case 'csbs.restore':
      return request.params.parameters.checkpoint_item_id ?? request.params.checkpoint_id;
    case 'dcs.restore':
      return request.params.instance_id;
    case 'cbr.restore':
      return request.params.backup_id;
    default:
      return request.params.disaster_recovery_id;
  }
};

/** A seeded shuffle (mulberry32), so runs are repeatable. */
export const shuffle = <T>(items: readonly T[], seed: number): T[] => {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};
