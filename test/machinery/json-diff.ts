/**
 * First difference between two JSON values, for readable test failures.
 */

/** Where two JSON values first differ, or undefined when they are equal. */
export interface JsonDifference {
  path: string;
  expected: unknown;
  actual: unknown;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Walks both values and reports the first path at which they differ (object keys in expected order, then extras). */
export function firstJsonDifference(expected: unknown, actual: unknown, path = '$'): JsonDifference | undefined {
  if (kindOf(expected) !== kindOf(actual)) return { path, expected, actual };
  if (Array.isArray(expected)) {
    const act = actual as unknown[];
    const n = Math.max(expected.length, act.length);
    for (let i = 0; i < n; i++) {
      if (i >= expected.length || i >= act.length) return { path: `${path}[${i}]`, expected: expected[i], actual: act[i] };
      const d = firstJsonDifference(expected[i], act[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (typeof expected === 'object' && expected !== null) {
    const exp = expected as Record<string, unknown>;
    const act = actual as Record<string, unknown>;
    for (const key of Object.keys(exp)) {
      if (!(key in act)) return { path: `${path}.${key}`, expected: exp[key], actual: '<missing>' };
      const d = firstJsonDifference(exp[key], act[key], `${path}.${key}`);
      if (d) return d;
    }
    for (const key of Object.keys(act)) {
      if (!(key in exp)) return { path: `${path}.${key}`, expected: '<missing>', actual: act[key] };
    }
    return undefined;
  }
  return Object.is(expected, actual) ? undefined : { path, expected, actual };
}

/** Formats a difference for an assertion message. */
export function describeDifference(d: JsonDifference): string {
  const show = (v: unknown): string => (typeof v === 'string' && v.startsWith('<') ? v : JSON.stringify(v));
  return `first difference at ${d.path}: expected ${show(d.expected)}, got ${show(d.actual)}`;
}
