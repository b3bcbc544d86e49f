/**
 * CEL for admission, on @bufbuild/cel: Kubernetes JSON turned into CEL values (objects as
 * maps, whole numbers as `int`, others as `double`), expressions compiled once, evaluated
 * with upstream's error wording (`compilation failed: …`, `expression '…' resulted in
 * error: no such key: …`). The environment has CEL's standard library, the strings extension
 * (as Kubernetes' `strings` library: charAt, indexOf, lastIndexOf, lowerAscii, upperAscii,
 * replace, split, substring, trim, join, format, strings.quote) and Kubernetes' lists and
 * regex libraries (`k8s-library.ts`).
 */
import { celEnv, isCelError, isCelList, isCelMap, isCelUint, parse, plan, type CelInput, type CelValue } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { KUBERNETES_LIBRARY } from './k8s-library.js';

const ENV = celEnv({ funcs: [...strings, ...KUBERNETES_LIBRARY] });

/** Kubernetes JSON → a CEL input value. */
export function toCel(value: unknown): CelInput {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (Array.isArray(value)) return value.map(toCel);
  if (typeof value === 'object') {
    const m = new Map<string, CelInput>();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) m.set(k, toCel(v));
    return m;
  }
  return null;
}

/** A CEL value → plain JSON (ints as numbers when safe), for messages and audit values. */
export function fromCel(value: CelValue | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (isCelUint(value)) return Number(value.value);
  if (isCelList(value)) return [...value].map(fromCel);
  if (isCelMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = fromCel(v);
    return out;
  }
  return value;
}

/** The outcome of one evaluation. */
export type CelOutcome = { value: CelValue } | { error: string };

/** A compiled expression, or the reason it does not compile. */
export interface CompiledExpression {
  readonly expression: string;
  /** `compilation failed: …` when the expression does not parse. */
  readonly compileError?: string;
  evaluate(bindings: Readonly<Record<string, CelInput>>): CelOutcome;
}

/** bufbuild's wording of a missing field, in cel-go's (what upstream's messages carry). */
function goCelMessage(message: string): string {
  const missing = /^field not found: (.*)$/.exec(message);
  if (missing) return `no such key: ${missing[1]}`;
  return message;
}

/** Compiles `expression` (parse and plan; bufbuild checks types at evaluation). */
export function compileExpression(expression: string): CompiledExpression {
  let program: ReturnType<typeof plan>;
  try {
    program = plan(ENV, parse(expression));
  } catch (err) {
    const compileError = `compilation failed: ERROR: ${(err as Error).message}`;
    return { expression, compileError, evaluate: () => ({ error: `compilation error: ${compileError}` }) };
  }
  return {
    expression,
    evaluate(bindings) {
      let result: CelValue | Error;
      try {
        result = (program as (ctx: Record<string, CelInput>) => CelValue | Error)(bindings as Record<string, CelInput>);
      } catch (err) {
        result = err instanceof Error ? err : new Error(String(err));
      }
      if (isCelError(result) || result instanceof Error) {
        return { error: `expression '${expression}' resulted in error: ${goCelMessage(result.message)}` };
      }
      return { value: result };
    },
  };
}
