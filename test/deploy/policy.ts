/**
 * A tiny evaluator of resource-policy statements (already resolved: plain strings), enough to judge
 * who may publish to a topic: `Principal` (`*`, `{Service}`, `{AWS}`), `Action` and `Resource` (with
 * `*` and `?` wildcards), and the conditions StringEquals / StringNotEquals / StringLike / ArnLike /
 * ArnNotLike on request context keys. As in IAM: a key absent from the request makes a positive
 * operator false and a negated one true; any matching Deny wins over every Allow; nothing matching is
 * an implicit deny. An operator it does not know throws rather than guess.
 */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal: '*' | { readonly Service?: string | string[]; readonly AWS?: string | string[] };
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface PolicyRequest {
  /** Who calls: a service principal, or an IAM principal's ARN. */
  readonly principal: { readonly Service: string } | { readonly AWS: string };
  readonly action: string;
  readonly resource: string;
  /** Request context keys, e.g. aws:SourceAccount and aws:SourceArn (set by AWS for service principals). */
  readonly context?: Readonly<Record<string, string>>;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

const list = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T]);

const globMatches = (pattern: string, value: string, caseInsensitive = false): boolean => {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '').test(value);
};

const principalMatches = (principal: PolicyStatement['Principal'], request: PolicyRequest): boolean => {
  if (principal === '*') return true;
  if ('Service' in request.principal) {
    return principal.Service !== undefined && list(principal.Service).includes(request.principal.Service);
  }
  const arn = request.principal.AWS;
  return principal.AWS !== undefined && list(principal.AWS).some((p) => p === '*' || p === arn);
};

const OPERATORS: Record<string, { negated: boolean; test: (pattern: string, value: string) => boolean }> = {
  StringEquals: { negated: false, test: (p, v) => p === v },
  StringNotEquals: { negated: true, test: (p, v) => p === v },
  StringLike: { negated: false, test: (p, v) => globMatches(p, v) },
  ArnLike: { negated: false, test: (p, v) => globMatches(p, v) },
  ArnNotLike: { negated: true, test: (p, v) => globMatches(p, v) },
};

const conditionsHold = (condition: PolicyStatement['Condition'], request: PolicyRequest): boolean =>
  Object.entries(condition ?? {}).every(([operator, keys]) => {
    const known = OPERATORS[operator];
    if (!known) throw new Error(`the evaluator does not know the condition operator ${operator}`);
    return Object.entries(keys).every(([key, patterns]) => {
      // Condition key names are case-insensitive.
      const found = Object.entries(request.context ?? {}).find(
        ([k]) => k.toLowerCase() === key.toLowerCase(),
      );
      if (!found) return known.negated;
      const matchesAny = list(patterns).some((pattern) => known.test(pattern, found[1]));
      return known.negated ? !matchesAny : matchesAny;
    });
  });

const applies = (statement: PolicyStatement, request: PolicyRequest): boolean =>
  principalMatches(statement.Principal, request) &&
  list(statement.Action).some((action) => globMatches(action, request.action, true)) &&
  list(statement.Resource).some((resource) => globMatches(resource, request.resource)) &&
  conditionsHold(statement.Condition, request);

/** The decision of `statements` on `request`, and the statements that decided it. */
export const evaluatePolicy = (
  statements: readonly PolicyStatement[],
  request: PolicyRequest,
): { decision: Decision; by: string[] } => {
  const matching = statements.filter((statement) => applies(statement, request));
  const sids = (effect: string) =>
    matching.filter((s) => s.Effect === effect).map((s, i) => s.Sid ?? `${effect}#${i}`);
  if (matching.some((s) => s.Effect === 'Deny')) return { decision: 'explicit-deny', by: sids('Deny') };
  if (matching.some((s) => s.Effect === 'Allow')) return { decision: 'allow', by: sids('Allow') };
  return { decision: 'implicit-deny', by: [] };
};
