/**
 * A webhook's `matchConditions` in CEL, as upstream's condition matcher evaluates them with
 * `object`, `oldObject` and `request` (the `authorizer` variable is not provided): any
 * condition false skips the webhook; otherwise an evaluation error skips it under
 * `failurePolicy: Ignore` and refuses the request under Fail (the caller's 403).
 */
import type { MatchConditionEvaluator, WebhookEntry } from '../webhook/dispatch.js';
import { celRequestValue } from './request-value.js';
import { compileExpression, toCel, type CompiledExpression } from './cel.js';

/** The evaluator, caching each webhook's compiled conditions by their text. */
export function celMatchConditions(): MatchConditionEvaluator {
  const cache = new Map<string, { key: string; compiled: CompiledExpression[] }>();
  const compiledFor = (entry: WebhookEntry): CompiledExpression[] => {
    const conditions = entry.hook.matchConditions ?? [];
    const key = JSON.stringify(conditions.map((c) => c.expression ?? ''));
    const hit = cache.get(entry.uid);
    if (hit && hit.key === key) return hit.compiled;
    const compiled = conditions.map((c) => compileExpression(c.expression ?? ''));
    cache.set(entry.uid, { key, compiled });
    return compiled;
  };
  return async (entry, a, versioned) => {
    const request = celRequestValue(a, versioned.match, '');
    const bindings = { object: toCel(versioned.object ?? null), oldObject: toCel(versioned.oldObject ?? null), request: toCel(request) };
    const errors: string[] = [];
    for (const c of compiledFor(entry)) {
      const out = c.evaluate(bindings);
      if ('error' in out) errors.push(out.error);
      else if (out.value === false) return false;
    }
    if (errors.length === 0) return true;
    if (entry.hook.failurePolicy === 'Ignore') return false;
    throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
  };
}
