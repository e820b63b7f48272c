/**
 * `dr-relay mode [on|dry-run|off] [--by name] [--requests-function name] [--json]`: shows or sets the
 * automation mode stored in STATE_TABLE (`setting#automation`), which every function reads at most
 * every 30 s, so it flips without a deploy:
 *   on       act;  dry-run  sign and log, never send (its own key space);  off  pause, nothing lost.
 * With --requests-function (the deployed requests function's name), `off` also disables its SQS
 * event source mapping, so the queue is not consumed at all, and `on` / `dry-run` enable it again.
 * Owns: that command. Must not touch: how the functions read the mode (lib/store/settings.ts).
 */
import {
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { AUTOMATION_MODES, type AutomationMode, SettingsStore } from '../lib/store/settings.ts';
import type { Command, CommandArgs } from './command.ts';
import { type CliIo, EXIT, UsageError } from './io.ts';
import { placeOptions, step, withTarget } from './target.ts';

const MEANING: Readonly<Record<AutomationMode, string>> = {
  on: 'acting',
  'dry-run': 'signing and logging every call, sending none (recorded under dry-run: keys)',
  off: 'paused: nothing is consumed or lost; queued work runs when it is on again',
};

/** Enables or disables every event source mapping of the function; returns how many. */
const setConsuming = async (functionName: string, enabled: boolean): Promise<number> => {
  const lambda = new LambdaClient({});
  try {
    const { EventSourceMappings = [] } = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: functionName }),
    );
    for (const mapping of EventSourceMappings) {
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: enabled }));
    }
    return EventSourceMappings.length;
  } finally {
    lambda.destroy();
  }
};

const mode = ({ positionals, values }: CommandArgs, io: CliIo): Promise<number> => {
  const wanted = positionals[0];
  if (wanted !== undefined && !(AUTOMATION_MODES as readonly string[]).includes(wanted))
    throw new UsageError(`mode must be one of ${AUTOMATION_MODES.join(', ')}, not ${JSON.stringify(wanted)}`);
  const json = values['json'] === true;
  const by = typeof values['by'] === 'string' ? values['by'] : undefined;
  const fn = typeof values['requests-function'] === 'string' ? values['requests-function'] : undefined;
  return withTarget(io, values, ['stateTable'], async (target) => {
    const store = new SettingsStore({ client: target.dynamo(), table: target.stateTable() });
    if (wanted === undefined) {
      const current = await step(`reading the mode from ${target.stateTable()}`, () => store.mode());
      const shown = current?.mode ?? 'on';
      if (json) io.out(JSON.stringify({ mode: shown, stored: current ?? null }));
      else
        io.out(
          current
            ? `mode ${shown}: ${MEANING[shown]} (set ${current.updated_at}${current.by ? ` by ${current.by}` : ''})`
            : `mode ${shown}: ${MEANING[shown]} (none stored: each stage's DR_AUTOMATION applies, on by default)`,
        );
      return EXIT.ok;
    }
    const next = wanted as AutomationMode;
    const stored = await step(`storing the mode in ${target.stateTable()}`, () => store.setMode(next, by));
    const mappings = fn
      ? await step(`updating the event source mappings of ${fn}`, () => setConsuming(fn, next !== 'off'))
      : undefined;
    if (json)
      io.out(JSON.stringify({ mode: next, stored, ...(fn ? { event_source_mappings: mappings } : {}) }));
    else {
      io.out(`mode ${next}: ${MEANING[next]}; every function follows within 30 s`);
      if (fn) io.out(`${fn}: ${mappings} event source mapping(s) ${next === 'off' ? 'disabled' : 'enabled'}`);
    }
    return EXIT.ok;
  });
};

export const modeCommand: Command = {
  words: ['mode'],
  args: '[on|dry-run|off] [--by name] [--requests-function name] [--json]',
  summary:
    'show or set the automation mode every function reads (within 30 s, no deploy); off pauses, losing nothing',
  options: {
    ...placeOptions('stateTable'),
    by: { type: 'string' },
    'requests-function': { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 0, max: 1 },
  run: mode,
};
