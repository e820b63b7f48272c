/**
 * The AlarmSignal: what every alarm source (CloudWatch, Alertmanager, Grafana, Cloud Eye) is normalised to.
 * Owns: the signal schema and the type derived from it. Must not touch: parsing of any source
 * (one file per source), routing, cooldowns (later layers read signals, they never build them).
 */
import * as z from '../schema/zod.ts';

export const SIGNAL_SOURCES = ['cloudwatch', 'alertmanager', 'grafana', 'cloud-eye'] as const;
export type SignalSource = (typeof SIGNAL_SOURCES)[number];

export const SIGNAL_STATES = ['alarm', 'ok', 'insufficient'] as const;
export type SignalState = (typeof SIGNAL_STATES)[number];

/** Which delivery shape a signal was recognised from. */
export const SIGNAL_SHAPES = [
  'cloudwatch/sns',
  'cloudwatch/eventbridge',
  'cloudwatch/lambda-action',
  'alertmanager/v4',
  'grafana',
  'cloud-eye/smn',
] as const;
export type SignalShape = (typeof SIGNAL_SHAPES)[number];

export const AlarmSignalSchema = z.lazySchema(() =>
  z.object({
    source: z.enum(SIGNAL_SOURCES),
    shape: z.enum(SIGNAL_SHAPES),
    /** The alarm name (CloudWatch AlarmName, Alertmanager/Grafana `alertname`, Cloud Eye alarm_name). */
    name: z.string().check(z.minLength(1)),
    state: z.enum(SIGNAL_STATES),
    /** Only when the source says it. */
    previous_state: z.optional(z.enum(SIGNAL_STATES)),
    /**
     * The source holds this state change's actions back, and says why (a CloudWatch composite alarm's
     * actions suppressor: `Alarm`, `WaitPeriod`, `ExtensionPeriod`): no route acts on it.
     */
    actions_suppressed_by: z.optional(z.string().check(z.minLength(1))),
    /** One alarm episode: the same for redeliveries, re-notifications and HA peers; new for a new episode. */
    episode: z.string().check(z.minLength(1)),
    /** Flat string labels routes match on (dimensions, alert labels, namespace, region...). */
    labels: z.record(z.string(), z.string()),
    /** ISO 8601 (UTC, milliseconds) of the state change. */
    occurred_at: z.iso.datetime(),
    /** The original alert / alarm object, for dead letters. */
    raw: z.unknown(),
  }),
);
export type AlarmSignal = z.infer<typeof AlarmSignalSchema>;
