/**
 * Property tests of the ActionRequest contract: whatever arrives, validation either accepts a
 * well-formed request or throws a ValidationError naming the bad fields; never anything else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ActionRequest,
  canonicalJson,
  idempotencyKey,
  parseActionRequest,
  parseActionRequestJson,
} from '../../lib/actions/request.ts';
import { ValidationError } from '../../lib/errors.ts';
import { sampleRequests } from '../fixtures/requests.ts';

const RUNS = { numRuns: 2000, seed: 20240501 } as const;

type Json = unknown;
type Path = (string | number)[];

/** What `parseActionRequest` did: returned a request, threw a ValidationError, or threw something else. */
const outcomeOf = (act: () => unknown): 'ok' | ValidationError | { other: unknown } => {
  try {
    act();
    return 'ok';
  } catch (error) {
    return error instanceof ValidationError ? error : { other: error };
  }
};

/** Accepted, or a ValidationError whose message names every issue (by its path, or for the body by its text). */
const isWellFormedRejection = (outcome: ReturnType<typeof outcomeOf>): boolean =>
  outcome === 'ok' ||
  (outcome instanceof ValidationError &&
    outcome.issues.length > 0 &&
    outcome.issues.every(
      (i) =>
        typeof i.path === 'string' &&
        i.path.length > 0 &&
        outcome.message.includes(i.path === '(body)' ? i.message : `${i.path}: ${i.message}`),
    ));

// --- arbitrary inputs --------------------------------------------------------------------------

const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];
const INTERESTING_KEYS = [...DANGEROUS_KEYS, 'action', 'region', 'project_id', 'request_id', 'params'];

/** An object whose own keys may be `__proto__` & co. (set as data, as JSON.parse does). */
const objectWithKeys = (keys: fc.Arbitrary<string>, values: fc.Arbitrary<Json>) =>
  fc.array(fc.tuple(keys, values), { maxLength: 8 }).map((entries) => {
    const object: Record<string, Json> = {};
    for (const [key, value] of entries) {
      Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return object;
  });

/** Nesting deep enough to break naive recursion: `{params:{params:...}}` or `[[[...]]]`. */
const deeplyNested = fc
  .tuple(fc.integer({ min: 100, max: 5000 }), fc.constantFrom('object', 'array', 'params'))
  .map(([depth, shape]) => {
    let value: Json = 'leaf';
    for (let i = 0; i < depth; i++) {
      value = shape === 'array' ? [value] : shape === 'object' ? { x: value } : { params: value };
    }
    return shape === 'params' ? { ...sampleRequests['dws.dr.start'], params: value } : value;
  });

/** The same nesting as JSON text, deeper still (what a hostile webhook body could hold). */
const deepJsonText = fc
  .tuple(fc.integer({ min: 1000, max: 100_000 }), fc.constantFrom('array', 'object', 'params'))
  .map(([depth, shape]) => {
    if (shape === 'array') return `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const open = shape === 'object' ? '{"x":' : '{"params":';
    const inner = `${open.repeat(depth)}1${'}'.repeat(depth)}`;
    return shape === 'object'
      ? inner
      : `${JSON.stringify(sampleRequests['dws.dr.start']).replace(/"params":.*$/, '"params":')}${inner}}`;
  });

/** Arbitrary JSON-like values, not too deep to be written back as JSON text. */
const shallowInput: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue(),
  fc.jsonValue({ stringUnit: 'binary' }),
  objectWithKeys(fc.constantFrom(...INTERESTING_KEYS), fc.jsonValue({ maxDepth: 3 })),
  fc.record({
    action: fc.oneof(fc.constantFrom(...Object.keys(sampleRequests), ...DANGEROUS_KEYS), fc.jsonValue()),
    region: fc.jsonValue({ maxDepth: 1 }),
    project_id: fc.jsonValue({ maxDepth: 1 }),
    params: fc.oneof(objectWithKeys(fc.constantFrom(...INTERESTING_KEYS), fc.jsonValue()), fc.jsonValue()),
  }),
);

const anyInput: fc.Arbitrary<Json> = fc.oneof(shallowInput, deeplyNested);

// --- valid requests ----------------------------------------------------------------------------

const region = fc.oneof(
  fc.constantFrom('cn-north-4', 'cn-north-1', 'cn-south-1', 'ap-southeast-1', 'eu-west-101', 'la-north-2'),
  fc.stringMatching(/^[a-z]{2}(-[a-z]{1,10}){1,2}-\d{1,3}$/),
);
const projectId = fc.stringMatching(/^[0-9a-f]{32}$/);
const requestId = fc.stringMatching(/^[A-Za-z0-9._:@-]{1,128}$/);
const uuid = fc.uuid();
/** UTF-16 length at most `units`, with any Unicode (astral characters count twice). */
const text = (minLength: number, units: number) =>
  fc.string({ unit: 'binary', minLength, maxLength: Math.floor(units / 2) });

const envelope = <A extends keyof typeof sampleRequests, P>(action: A, params: fc.Arbitrary<P>) =>
  fc.record(
    { action: fc.constant(action), region, project_id: projectId, request_id: requestId, params },
    { requiredKeys: ['action', 'region', 'project_id', 'params'], noNullPrototype: true },
  );

const dwsParams = fc.record({ disaster_recovery_id: uuid }, { noNullPrototype: true });
const csbsParams = fc.record(
  {
    checkpoint_id: uuid,
    parameters: fc.record(
      {
        checkpoint_item_id: uuid,
        power_on: fc.boolean(),
        targets: fc.record(
          {
            server_id: uuid,
            volumes: fc.array(fc.record({ backup_id: uuid, volume_id: uuid }, { noNullPrototype: true }), {
              minLength: 1,
              maxLength: 64,
            }),
          },
          { noNullPrototype: true },
        ),
      },
      { noNullPrototype: true },
    ),
    restore_target: text(1, 255),
  },
  { requiredKeys: ['checkpoint_id', 'parameters'], noNullPrototype: true },
);
const dcsParams = fc.record(
  { instance_id: uuid, backup_id: uuid, remark: text(0, 128) },
  { requiredKeys: ['instance_id', 'backup_id'], noNullPrototype: true },
);

const validRequest: fc.Arbitrary<ActionRequest> = fc.oneof(
  envelope('dws.dr.start', dwsParams),
  envelope('dws.dr.failover', dwsParams),
  envelope('dws.dr.recovery', dwsParams),
  envelope('csbs.restore', csbsParams),
  envelope('dcs.restore', dcsParams),
) as fc.Arbitrary<ActionRequest>;

const withoutRequestId = (request: ActionRequest): ActionRequest => {
  const { request_id: _ignored, ...rest } = request;
  return rest as ActionRequest;
};

/** A deep copy with the keys of every object in a (seeded) random order. */
const shuffleKeys = (value: Json, seed: number): Json => {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const walk = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, walk(v)]));
  };
  return walk(value);
};

// --- paths and wrong types ---------------------------------------------------------------------

type Kind = 'string' | 'boolean' | 'object' | 'array';
interface Field {
  readonly path: Path;
  readonly kind: Kind;
}

/** Every field of a request (objects, arrays and leaves alike), with the JSON type it must have. */
const fieldsOf = (value: Json, path: Path = []): Field[] => {
  if (Array.isArray(value)) {
    return [{ path, kind: 'array' }, ...value.flatMap((v, i) => fieldsOf(v, [...path, i]))];
  }
  if (value !== null && typeof value === 'object') {
    const own = path.length === 0 ? [] : [{ path, kind: 'object' as const }];
    return [...own, ...Object.entries(value).flatMap(([k, v]) => fieldsOf(v, [...path, k]))];
  }
  return [{ path, kind: typeof value === 'boolean' ? 'boolean' : 'string' }];
};

const nonString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
);
const wrongTypeFor: Record<Kind, fc.Arbitrary<Json>> = {
  string: nonString,
  boolean: fc.oneof(
    fc.integer(),
    fc.string(),
    fc.constant(null),
    fc.constantFrom('true', 'false', 0, 1),
    fc.array(fc.boolean()),
  ),
  object: fc.oneof(
    fc.integer(),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.jsonValue(), { maxLength: 3 }),
  ),
  array: fc.oneof(
    fc.integer(),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
  ),
};

const setAt = (root: Json, path: Path, value: Json): Json => {
  const copy = structuredClone(root) as Record<string | number, Json>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  node[path[path.length - 1]!] = value;
  return copy;
};

/** A valid request with exactly one field replaced by a value of the wrong JSON type. */
const oneWrongField = validRequest.chain((request) =>
  fc.constantFrom(...fieldsOf(request)).chain((field) =>
    wrongTypeFor[field.kind].map((wrong) => ({
      request,
      field,
      mutated: setAt(request, field.path, wrong),
    })),
  ),
);

/** A valid request with one unknown (possibly dangerous) key added to one of its objects. */
const oneUnknownKey = validRequest.chain((request) => {
  const objects = [{ path: [] as Path }, ...fieldsOf(request).filter((f) => f.kind === 'object')];
  return fc
    .tuple(
      fc.constantFrom(...objects),
      fc.oneof(fc.constantFrom(...DANGEROUS_KEYS), fc.constantFrom('extra', 'provider_id', 'zone')),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map(([{ path }, key, value]) => {
      const mutated = structuredClone(request) as Json;
      let node = mutated as Record<string | number, Json>;
      for (const step of path) node = node[step] as Record<string | number, Json>;
      Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
      return { mutated, path: [...path, key].join('.') };
    });
});

// --- the properties ----------------------------------------------------------------------------

describe('parseActionRequest under arbitrary input', () => {
  it('either returns or throws a ValidationError naming its fields, for any JSON value', () => {
    fc.assert(
      fc.property(anyInput, (value) => {
        // Act
        const outcome = outcomeOf(() => parseActionRequest(value));
        // Assess
        expect(isWellFormedRejection(outcome), String((outcome as { other?: unknown }).other)).toBe(true);
      }),
      RUNS,
    );
  });

  it('either returns or throws a ValidationError, for any string as a JSON body', () => {
    const body = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      shallowInput.map((v) => JSON.stringify(v) ?? ''),
      fc.jsonValue().map((v) => `${JSON.stringify(v)}}`),
      deepJsonText,
      fc.constantFrom('', '{', '{"__proto__":{"action":"dws.dr.start"}}', '{"constructor":{"prototype":{}}}'),
    );
    fc.assert(
      fc.property(body, (raw) => {
        // Act
        const outcome = outcomeOf(() => parseActionRequestJson(raw));
        // Assess
        expect(isWellFormedRejection(outcome), String((outcome as { other?: unknown }).other)).toBe(true);
      }),
      RUNS,
    );
  });

  it('never pollutes Object.prototype, whatever keys arrive', () => {
    fc.assert(
      fc.property(shallowInput, (value) => {
        // Act
        outcomeOf(() => parseActionRequestJson(JSON.stringify(value) ?? 'null'));
        // Assess
        expect(Object.keys(Object.prototype)).toEqual([]);
        expect(({} as Record<string, unknown>)['action']).toBeUndefined();
      }),
      { ...RUNS, numRuns: 500 },
    );
  });
});

describe('valid requests', () => {
  it('always parse, and parse to exactly what was sent', () => {
    fc.assert(
      fc.property(validRequest, (request) => {
        // Act
        const parsed = parseActionRequest(structuredClone(request));
        // Assess
        expect(parsed).toStrictEqual(request);
      }),
      RUNS,
    );
  });

  it('survive a JSON round trip unchanged', () => {
    fc.assert(
      fc.property(validRequest, (request) => {
        expect(parseActionRequestJson(JSON.stringify(request))).toStrictEqual(request);
      }),
      RUNS,
    );
  });

  it('keep their idempotency key whatever the order of their keys, at every depth', () => {
    fc.assert(
      fc.property(validRequest, fc.integer(), (request, seed) => {
        // Prepare
        const shuffled = shuffleKeys(request, seed);
        // Act
        const key = idempotencyKey(parseActionRequest(shuffled));
        // Assess
        expect(key).toBe(idempotencyKey(request));
        expect(canonicalJson(shuffled)).toBe(canonicalJson(request));
      }),
      RUNS,
    );
  });

  it('are keyed by their request_id when they have one, else by sha256 of their content', () => {
    fc.assert(
      fc.property(validRequest, (request) => {
        // Act
        const key = idempotencyKey(request);
        // Assess
        if (request.request_id === undefined) expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
        else expect(key).toBe(request.request_id);
      }),
      RUNS,
    );
  });

  it('get different keys when their content differs', () => {
    fc.assert(
      fc.property(validRequest, validRequest, (a, b) => {
        // Prepare
        const [left, right] = [withoutRequestId(a), withoutRequestId(b)];
        fc.pre(canonicalJson(left) !== canonicalJson(right));
        // Act / Assess
        expect(idempotencyKey(left)).not.toBe(idempotencyKey(right));
      }),
      RUNS,
    );
  });
});

describe('invalid requests', () => {
  it('are rejected when one field has the wrong type, naming exactly that field', () => {
    fc.assert(
      fc.property(oneWrongField, ({ field, mutated }) => {
        // Act
        const outcome = outcomeOf(() => parseActionRequest(mutated));
        // Assess
        expect(outcome).toBeInstanceOf(ValidationError);
        const paths = new Set((outcome as ValidationError).issues.map((i) => i.path));
        expect([...paths]).toEqual([field.path.join('.')]);
      }),
      RUNS,
    );
  });

  it('are rejected when one object has an unknown key, reported as an unknown field at its path', () => {
    fc.assert(
      fc.property(oneUnknownKey, ({ mutated, path }) => {
        // Act
        const outcome = outcomeOf(() => parseActionRequest(mutated));
        // Assess
        expect(outcome).toBeInstanceOf(ValidationError);
        expect((outcome as ValidationError).issues).toStrictEqual([{ path, message: 'unknown field' }]);
      }),
      RUNS,
    );
  });
});
