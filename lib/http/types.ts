/**
 * HTTP as the webhook function sees it, independent of API Gateway: the adapter (apigw.ts) is the
 * only place that knows the event format. Header names are lower-case; the body is the raw text.
 */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly body: string;
  /** Path parameters filled in by the router. */
  readonly params: Readonly<Record<string, string>>;
}

/** Per-invocation facts a route may need (never shared between overlapping invocations). */
export interface InvocationContext {
  /** Milliseconds left before the function times out. */
  readonly remainingMs: () => number;
  readonly signal?: AbortSignal | undefined;
  /** Names this delivery in answers and logs (the Lambda request id); one is made up when absent. */
  readonly correlationId?: string | undefined;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export const json = (
  statusCode: number,
  value: unknown,
  headers: Record<string, string> = {},
): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(value),
});
