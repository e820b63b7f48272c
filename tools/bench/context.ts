/**
 * What every figure gets: the backend, the requests handler (imported after the stack's environment
 * was applied), the I/O counter, a progress line writer (stderr), and one way to invoke the handler
 * like Lambda does (an SQSEvent and a fresh Lambda-like context). Also the figure type.
 * Owns: those shared shapes.
 */
import type { SQSEvent } from 'aws-lambda';
import { lambdaContext, type SqsHandler } from '../local/poller.ts';
import type { Backend } from './backendClient.ts';
import type { IoCounter } from './io.ts';

export interface Figure {
  readonly figure: string;
  readonly target: string | null;
  readonly met: boolean | null;
  readonly [field: string]: unknown;
}

export interface BenchContext {
  readonly backend: Backend;
  readonly handler: SqsHandler;
  readonly io: IoCounter;
  readonly progress: (line: string) => void;
}

const FUNCTION_NAME = 'dr-relay-local-requests';
/** The requests function's timeout (serverless.yml custom.functionTimeout). */
const FUNCTION_TIMEOUT_MS = 60_000;

/** A context per invocation, made before the clock starts: that is the runtime's work, not dr-relay's. */
export const newContext = () => lambdaContext(FUNCTION_NAME, FUNCTION_TIMEOUT_MS);

/** Invokes the handler; the number of records it reported as failed (0 when all were handled). */
export const invoke = async (
  handler: SqsHandler,
  event: SQSEvent,
  context = newContext(),
): Promise<number> => {
  const response = await handler(event, context);
  return response?.batchItemFailures.length ?? 0;
};
