/**
 * The CLI's command table and dispatch: which words name which command, the usage (one line per
 * command), argument parsing (node:util parseArgs, strict) and usage errors (exit 2).
 * Adding a command = one file exporting a Command + one line in `commands`.
 * Owns: dispatch and usage. Must not touch: what any command does, process (bin/ does).
 */
import { parseArgs } from 'node:util';
import { approveCommand, denyCommand } from './approve.ts';
import type { Command, CommandArgs } from './command.ts';
import { dlqListCommand, dlqShowCommand } from './dlq.ts';
import { dlqPurgeCommand } from './dlqPurge.ts';
import { dlqRedriveCommand } from './dlqRedrive.ts';
import { doctorCommand } from './doctor.ts';
import { explainCommand } from './explain.ts';
import { printable } from './format.ts';
import { type CliIo, EXIT, UsageError } from './io.ts';
import { modeCommand } from './mode.ts';
import { routesCheckCommand, routesCompileCommand } from './routesCheck.ts';
import { sendCommand } from './send.ts';
import { statusCommand } from './status.ts';

export const commands: readonly Command[] = [
  routesCheckCommand,
  routesCompileCommand,
  explainCommand,
  dlqListCommand,
  dlqShowCommand,
  dlqRedriveCommand,
  dlqPurgeCommand,
  sendCommand,
  statusCommand,
  approveCommand,
  denyCommand,
  doctorCommand,
  modeCommand,
];

const HELP_WORDS = new Set(['help', '--help', '-h']);

const nameOf = (command: Command): string => command.words.join(' ');

export const usage = (): string => {
  const rows = [
    ...commands.map((c) => [`dr-relay ${nameOf(c)} ${c.args}`, c.summary] as const),
    ['dr-relay help | --help', 'this text; `dr-relay <command> --help`: one command'] as const,
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    'usage:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    '',
    'dlq, send, status, approve and deny find the queues, the state table and the API in REQUEST_QUEUE_URL (--queue-url url),',
    'DEAD_LETTER_QUEUE_URL (--dlq-url url), STATE_TABLE (--state-table name) and DR_API_URL (--api url), signed with',
    'the first of WEBHOOK_HMAC_SECRETS; AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_DYNAMODB are honoured. With none of',
    'these four set (variable or flag): the local stack of `npm start`.',
    'doctor signs with HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK (or HUAWEI_CREDENTIALS_SECRET_ID) and reads DR_ENDPOINT_*',
    "(else the region's endpoints) and DR_ROUTES_FILE, as the functions do; with none of the keys and endpoints set:",
    'the simulator of `npm start`. It sends GETs only.',
    '',
    'exit codes: 0 ok (explain: an action would be taken), 1 invalid input or failure (doctor: a target would fail;',
    'approve / deny: the decision was refused), 2 usage, 3 nothing would happen (doctor: nothing to check).',
    'status --wait: 0 the operation completed, 1 it failed (or the request was dead-lettered), 3 it stalled, the wait',
    'timed out, or the request was skipped.',
  ].join('\n');
};

/** The command whose words start argv (longest first), and the rest of argv. */
const find = (argv: readonly string[]): { command: Command; rest: string[] } | undefined => {
  const sorted = [...commands].sort((a, b) => b.words.length - a.words.length);
  const command = sorted.find((c) => c.words.every((w, i) => argv[i] === w));
  return command && { command, rest: argv.slice(command.words.length) };
};

const parse = (command: Command, rest: string[]) => {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { positionals, values } = parsed;
  if (values['help'] !== true) {
    const { min, max } = command.positionals;
    if (positionals.length < min)
      throw new UsageError(`${nameOf(command)}: missing argument (${command.args})`);
    if (positionals.length > max) {
      throw new UsageError(`${nameOf(command)}: unexpected argument ${JSON.stringify(positionals[max])}`);
    }
  }
  return { positionals, values: values as CommandArgs['values'] };
};

/**
 * Runs the command line `argv` (without node and the script); returns the exit code.
 * Every line goes out through `printable` (event text is untrusted; JSON stays valid JSON: the
 * escapes it writes are JSON escapes).
 */
export const runCli = async (argv: readonly string[], rawIo: CliIo): Promise<number> => {
  const { live } = rawIo;
  const io: CliIo = {
    ...rawIo,
    out: (line) => rawIo.out(printable(line)),
    err: (line) => rawIo.err(printable(line)),
    ...(live ? { live: (line: string) => live(printable(line.replaceAll('\n', ' '))) } : {}),
  };
  const first = argv[0];
  if (first !== undefined && HELP_WORDS.has(first)) {
    io.out(usage());
    return EXIT.ok;
  }
  const found = find(argv);
  if (!found) {
    io.err(
      first === undefined ? 'dr-relay: no command given' : `dr-relay: unknown command "${argv.join(' ')}"`,
    );
    io.err(usage());
    return EXIT.usage;
  }
  try {
    const args = parse(found.command, found.rest);
    if (args.values['help'] === true) {
      io.out(
        [
          `usage: dr-relay ${nameOf(found.command)} ${found.command.args}`,
          `  ${found.command.summary}`,
          ...(found.command.details ?? []).map((line) => `  ${line}`),
        ].join('\n'),
      );
      return EXIT.ok;
    }
    return await found.command.run(args, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`dr-relay: ${error.message}`);
    io.err(`usage: dr-relay ${nameOf(found.command)} ${found.command.args}`);
    return EXIT.usage;
  }
};
