/**
 * Reads what a TypeScript source file depends on, without a compiler: its imports (static
 * `import … from`, `export … from`, side-effect `import '…'`, dynamic `import('…')`), each with its
 * line and its resolved target, and the calls of one method on one imported class's instances.
 * Owns: masking comments and literals (so text in them is never taken for code) and path resolution.
 * Must not touch: the file system (files come in as text), the rules (test/architecture/rules.ts).
 */
import { posix } from 'node:path';

/** One source file: its path from the repository root (posix separators) and its text. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** What an import names: a file of the repository (resolved), or a package (bare specifier). */
export type Target = { readonly file: string } | { readonly package: string };

export interface Import {
  /** 1-based line of the `import` / `export` keyword. */
  readonly line: number;
  readonly specifier: string;
  readonly target: Target;
  /** What a static import binds, e.g. `{ type A, B as C }` or `* as ns`; '' otherwise. */
  readonly clause: string;
}

export interface Scanned {
  readonly path: string;
  /** The text with comments, string, template and regex contents blanked (same length, same lines). */
  readonly code: string;
  readonly text: string;
  readonly imports: readonly Import[];
}

/** A method of a class exported by a module, e.g. HuaweiClient#send in lib/huawei/client.ts. */
export interface MethodOf {
  readonly module: string;
  readonly className: string;
  readonly method: string;
}

export interface Call {
  readonly line: number;
  /** The original text of the arguments, parentheses excluded. */
  readonly args: string;
}

const KEYWORDS_BEFORE_REGEX = new Set([
  'return',
  'typeof',
  'case',
  'do',
  'else',
  'in',
  'of',
  'void',
  'yield',
  'await',
  'delete',
  'throw',
  'new',
]);

/** Can a `/` at `index` of `code` (masked so far) start a regex literal rather than divide? */
const regexMayStart = (code: readonly string[], index: number): boolean => {
  let i = index - 1;
  while (i >= 0 && /\s/.test(code[i] ?? '')) i -= 1;
  if (i < 0) return true;
  const previous = code[i] ?? '';
  if ('(,=:[!&|?{};+-*%<>~^'.includes(previous)) return true;
  if (!/[\w$]/.test(previous)) return false;
  let start = i;
  while (start > 0 && /[\w$]/.test(code[start - 1] ?? '')) start -= 1;
  return KEYWORDS_BEFORE_REGEX.has(code.slice(start, i + 1).join(''));
};

/**
 * Blanks comments and the contents of string, template and regex literals (newlines kept), and
 * records every string literal (and substitution-free template) by the index of its opening quote.
 */
export const mask = (text: string): { code: string; strings: ReadonlyMap<number, string> } => {
  // UTF-16 units, so that indexes match `text`.
  const out = text.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k += 1) if (out[k] !== '\n') out[k] = ' ';
  };
  const strings = new Map<number, string>();
  /** Brace depth at which each open template substitution `${` resumes its template. */
  const templates: number[] = [];
  let depth = 0;
  let i = 0;

  const template = (start: number): void => {
    // `start` is the index just after a backtick or a substitution's closing brace.
    let j = start;
    while (j < text.length) {
      const c = text[j];
      if (c === '\\') {
        j += 2;
      } else if (c === '`') {
        blank(start, j);
        i = j + 1;
        return;
      } else if (c === '$' && text[j + 1] === '{') {
        blank(start, j);
        templates.push(depth);
        depth += 1;
        i = j + 2;
        return;
      } else {
        j += 1;
      }
    }
    blank(start, text.length);
    i = text.length;
  };

  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      strings.set(i, text.slice(i + 1, j));
      blank(i + 1, j);
      i = j + 1;
    } else if (c === '`') {
      const end = text.indexOf('`', i + 1);
      const body = end === -1 ? '' : text.slice(i + 1, end);
      if (end !== -1 && !body.includes('${') && !body.includes('\\')) strings.set(i, body);
      template(i + 1);
    } else if (c === '/' && regexMayStart(out, i)) {
      let j = i + 1;
      let inClass = false;
      while (j < text.length && text[j] !== '\n') {
        const r = text[j];
        if (r === '\\') j += 1;
        else if (r === '[') inClass = true;
        else if (r === ']') inClass = false;
        else if (r === '/' && !inClass) break;
        j += 1;
      }
      blank(i + 1, j);
      i = j + 1;
    } else if (c === '{') {
      depth += 1;
      i += 1;
    } else if (c === '}') {
      depth -= 1;
      if (templates.length > 0 && templates[templates.length - 1] === depth) {
        templates.pop();
        template(i + 1);
      } else {
        i += 1;
      }
    } else {
      i += 1;
    }
  }
  return { code: out.join(''), strings };
};

/** 1-based line of `index` in `text`. */
export const lineAt = (text: string, index: number): number => {
  let line = 1;
  for (let k = text.indexOf('\n'); k !== -1 && k < index; k = text.indexOf('\n', k + 1)) line += 1;
  return line;
};

/** Resolves a specifier written in `from` against the repository's files (known paths). */
export const resolve = (from: string, specifier: string, known: ReadonlySet<string>): Target => {
  if (!specifier.startsWith('./') && !specifier.startsWith('../') && !specifier.startsWith('/')) {
    return { package: specifier };
  }
  const path = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [path, path.replace(/\.js$/, '.ts'), `${path}.ts`, `${path}/index.ts`];
  return { file: candidates.find((candidate) => known.has(candidate)) ?? path };
};

const BEFORE = String.raw`(?<![\w$.#])`;
/** `import … from '…'`, `import type … from '…'`, `export … from '…'`: keyword, clause, quote. */
const FROM = new RegExp(String.raw`${BEFORE}(import|export)\s+([\w$*{},\s]*?)\s*\bfrom\s*(['"])`, 'g');
/** `import '…'` (side effects only). */
const BARE = new RegExp(String.raw`${BEFORE}import\s*(['"])`, 'g');
/** `import('…')`, `await import(\`…\`)`. */
const DYNAMIC = new RegExp(String.raw`${BEFORE}import\s*\(\s*(['"\x60])`, 'g');

/** Reads one file's imports (resolved against `known`, the repository's paths). */
export const scan = (file: SourceFile, known: ReadonlySet<string>): Scanned => {
  const { code, strings } = mask(file.text);
  const found: Import[] = [];
  const add = (keywordAt: number, quoteAt: number, clause: string) => {
    const specifier = strings.get(quoteAt);
    if (specifier === undefined) return;
    found.push({
      line: lineAt(code, keywordAt),
      specifier,
      target: resolve(file.path, specifier, known),
      clause: clause.trim(),
    });
  };
  for (const match of code.matchAll(FROM)) {
    add(match.index, match.index + match[0].length - 1, match[2] ?? '');
  }
  for (const pattern of [BARE, DYNAMIC]) {
    for (const match of code.matchAll(pattern)) add(match.index, match.index + match[0].length - 1, '');
  }
  found.sort((a, b) => a.line - b.line);
  return { path: file.path, code, text: file.text, imports: found };
};

/** `text` matched literally in a regular expression. */
const regexSource = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The names under which `scanned` refers to `of.className` (imported as is, renamed, or via a namespace). */
const classNames = (scanned: Scanned, of: MethodOf): string[] => {
  const names = new Set([of.className]);
  for (const { target, clause } of scanned.imports) {
    if (!('file' in target) || target.file !== of.module) continue;
    const namespace = /\*\s*as\s+([\w$]+)/.exec(clause)?.[1];
    if (namespace) names.add(`${namespace}.${of.className}`);
    const braces = /\{([^}]*)\}/.exec(clause)?.[1] ?? '';
    for (const entry of braces.split(',')) {
      const [name, local] = entry
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/);
      if (name === of.className && local) names.add(local.trim());
    }
  }
  return [...names];
};

/** Index of the `(` matching the `)` at `close` in masked code, or -1. */
const openingOf = (code: string, close: number): number => {
  let depth = 0;
  for (let k = close; k >= 0; k -= 1) {
    if (code[k] === ')') depth += 1;
    else if (code[k] === '(') {
      depth -= 1;
      if (depth === 0) return k;
    }
  }
  return -1;
};

/** Index of the `)` matching the `(` at `open` in masked code, or -1. */
const closingOf = (code: string, open: number): number => {
  let depth = 0;
  for (let k = open; k < code.length; k += 1) {
    if (code[k] === '(') depth += 1;
    else if (code[k] === ')') {
      depth -= 1;
      if (depth === 0) return k;
    }
  }
  return -1;
};

/**
 * Calls of `of.method` on instances of `of.className`, in a file that imports `of.module`: on a
 * name bound to `new Class(…)`, annotated with the class (`client: Class`, `client: Pick<Class, …>`)
 * or bound to the result of a factory declared in the file to return the class, wherever that name
 * ends the receiver (`client.send(`, `this.#deps.client.send(`), or directly on
 * `new Class(…)`. A heuristic, not a type check: a client reached through an unannotated value is missed.
 */
export const callsOf = (scanned: Scanned, of: MethodOf): Call[] => {
  const imported = scanned.imports.some(({ target }) => 'file' in target && target.file === of.module);
  if (!imported) return [];
  const { code, text } = scanned;
  const klass = `(?:${classNames(scanned, of).map(regexSource).join('|')})`;
  const bound = new Set<string>();
  const constructed = new RegExp(String.raw`([\w$#]+)\s*\??\s*[:=]\s*new\s+${klass}\s*\(`, 'g');
  const annotated = new RegExp(
    String.raw`([\w$#]+)\s*\??\s*:\s*(?:readonly\s+)?(?:[\w$.]+\s*<\s*)*${klass}(?![\w$])`,
    'g',
  );
  for (const pattern of [constructed, annotated]) {
    for (const match of code.matchAll(pattern)) if (match[1]) bound.add(match[1]);
  }
  // Factories declared here with the class as their return type, and the names bound to their result.
  const factory = new RegExp(
    String.raw`(?:function\s+([\w$]+)|([\w$]+)\s*=\s*(?:async\s*)?)\s*\([^()]*\)\s*:\s*(?:Promise\s*<\s*)?${klass}(?![\w$])`,
    'g',
  );
  const factories = [...code.matchAll(factory)].map((match) => match[1] ?? match[2] ?? '').filter(Boolean);
  if (factories.length > 0) {
    const made = new RegExp(
      String.raw`([\w$#]+)\s*=\s*(?:await\s+)?(?:${factories.map(regexSource).join('|')})\s*\(`,
      'g',
    );
    for (const match of code.matchAll(made)) if (match[1]) bound.add(match[1]);
  }
  const onNew = new RegExp(String.raw`new\s+${klass}\s*$`);
  const call = new RegExp(String.raw`([\w$#]+|\))\s*\??\.\s*${regexSource(of.method)}\s*\(`, 'g');
  const calls: Call[] = [];
  for (const match of code.matchAll(call)) {
    const receiver = match[1] ?? '';
    const onClient =
      receiver === ')'
        ? onNew.test(code.slice(0, openingOf(code, match.index)))
        : bound.has(receiver) && !/[\w$#]/.test(code[match.index - 1] ?? '');
    if (!onClient) continue;
    const open = match.index + match[0].length - 1;
    const close = closingOf(code, open);
    calls.push({
      line: lineAt(code, match.index),
      args: text.slice(open + 1, close === -1 ? undefined : close),
    });
  }
  return calls;
};
