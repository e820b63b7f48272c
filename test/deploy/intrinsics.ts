/**
 * Just enough of CloudFormation to read a packaged template as it would deploy: `Ref` (pseudo
 * parameters and the logical ids a test names), `Fn::Sub` (pseudo parameters only), the conditions
 * (`Fn::Not`, `Fn::Equals`, `Condition`) and `Fn::If` with `AWS::NoValue`. Anything else throws, so a
 * test never judges a value it cannot read.
 */
import type { CloudFormationTemplate } from './helpers.ts';

export interface Deployment {
  readonly account: string;
  readonly region: string;
  readonly partition?: string;
  /** What `Ref` of a logical id resolves to (a topic's ARN, a function's name...). */
  readonly refs?: Readonly<Record<string, string>>;
}

const NO_VALUE = Symbol('AWS::NoValue');

const onlyKey = (value: object): [string, unknown] | undefined => {
  const entries = Object.entries(value);
  return entries.length === 1 ? (entries[0] as [string, unknown]) : undefined;
};

/** Resolves `value` as CloudFormation would in `deployment` (elements that are `AWS::NoValue` removed). */
export const resolveIn = (template: CloudFormationTemplate, deployment: Deployment) => {
  const pseudo: Record<string, string> = {
    'AWS::AccountId': deployment.account,
    'AWS::Region': deployment.region,
    'AWS::Partition': deployment.partition ?? 'aws',
  };
  const condition = (name: string): boolean => {
    const definition = template.Conditions?.[name];
    if (definition === undefined) throw new Error(`no condition ${name}`);
    return truth(definition);
  };
  const truth = (value: unknown): boolean => {
    const [fn, args] = (typeof value === 'object' && value !== null && onlyKey(value)) || [];
    if (fn === 'Fn::Not') return !truth((args as unknown[])[0]);
    if (fn === 'Fn::Equals') {
      const [a, b] = (args as unknown[]).map((arg) => resolve(arg));
      return JSON.stringify(a) === JSON.stringify(b);
    }
    if (fn === 'Condition') return condition(args as string);
    throw new Error(`cannot evaluate condition ${JSON.stringify(value)}`);
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== NO_VALUE);
    if (typeof value !== 'object' || value === null) return value;
    const [fn, args] = onlyKey(value) ?? [];
    if (fn === 'Ref') {
      const name = args as string;
      if (name === 'AWS::NoValue') return NO_VALUE;
      const found = pseudo[name] ?? deployment.refs?.[name];
      if (found === undefined) throw new Error(`cannot resolve Ref ${name}`);
      return found;
    }
    if (fn === 'Fn::Sub') {
      if (typeof args !== 'string') throw new Error(`Fn::Sub with variables: ${JSON.stringify(args)}`);
      return args.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        const found = pseudo[name];
        if (found === undefined) throw new Error(`cannot resolve \${${name}} in Fn::Sub`);
        return found;
      });
    }
    if (fn === 'Fn::If') {
      const [name, whenTrue, whenFalse] = args as [string, unknown, unknown];
      return resolve(condition(name) ? whenTrue : whenFalse);
    }
    if (fn?.startsWith('Fn::')) throw new Error(`cannot resolve ${fn}`);
    return Object.fromEntries(
      Object.entries(value)
        .map(([key, v]) => [key, resolve(v)] as const)
        .filter(([, v]) => v !== NO_VALUE),
    );
  };
  return { resolve, condition };
};
