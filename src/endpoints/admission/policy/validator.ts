/**
 * One ValidatingAdmissionPolicy compiled, and evaluated for one request, binding and
 * parameter as upstream's validator does: match conditions (any false: the policy does not
 * apply; an error: a failure), variables (`variables.NAME`, in order), then each validation:
 * true admits, anything else denies with the validation's reason (Invalid by default) and
 * message (`messageExpression`'s string, else `message`, else `failed expression: …`); an
 * expression that cannot be evaluated denies or admits by the policy's `failurePolicy`.
 */
import type { CelInput } from '@bufbuild/cel';
import type { ValidatingAdmissionPolicy } from '../../../../gen/kube/admissionregistration-v1.js';
import { compileExpression, type CompiledExpression } from './cel.js';

/** What one validation decided. */
export interface PolicyDecision {
  action: 'admit' | 'deny';
  /** Whether the decision comes from an evaluation error. */
  error?: boolean;
  message?: string;
  /** The status reason of a denial (a validation's `reason`; absent: Invalid). */
  reason?: string;
}

/** A policy's expressions compiled once. */
export interface CompiledPolicy {
  readonly name: string;
  readonly failurePolicy: 'Fail' | 'Ignore';
  readonly policy: ValidatingAdmissionPolicy;
  /** Evaluates the policy; `bindings` holds object, oldObject, request, params, namespaceObject. */
  evaluate(bindings: Readonly<Record<string, CelInput>>): PolicyDecision[];
}

/** Upstream's limit on a messageExpression's result. */
const MAX_MESSAGE_BYTES = 5 * 1024;

interface CompiledValidation {
  expression: CompiledExpression;
  message?: string;
  reason?: string;
  messageExpression?: CompiledExpression;
}

/** Compiles the policy's match conditions, variables and validations. */
export function compilePolicy(policy: ValidatingAdmissionPolicy): CompiledPolicy {
  const spec = policy.spec ?? {};
  const failurePolicy = spec.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail';
  const onError = (message: string): PolicyDecision => (failurePolicy === 'Fail' ? { action: 'deny', error: true, message } : { action: 'admit', error: true });
  const conditions = (spec.matchConditions ?? []).map((c) => compileExpression(c.expression ?? ''));
  const variables = (spec.variables ?? []).map((v) => ({ name: v.name ?? '', expression: compileExpression(v.expression ?? '') }));
  const validations: CompiledValidation[] = (spec.validations ?? []).map((v) => ({
    expression: compileExpression(v.expression ?? ''),
    ...(v.message !== undefined ? { message: v.message } : {}),
    ...(v.reason !== undefined ? { reason: v.reason } : {}),
    ...(v.messageExpression ? { messageExpression: compileExpression(v.messageExpression) } : {}),
  }));

  return {
    name: policy.metadata?.name ?? '',
    failurePolicy,
    policy,
    evaluate(input) {
      const bindings: Record<string, CelInput> = { ...input };
      // Match conditions: any false and the policy does not apply, whatever errors others had.
      let conditionError: string | undefined;
      for (const c of conditions) {
        const out = c.evaluate(bindings);
        if ('error' in out) conditionError ??= out.error;
        else if (out.value !== true) return [];
      }
      if (conditionError !== undefined) return [onError(conditionError)];

      const values = new Map<string, CelInput>();
      const failed = new Map<string, string>();
      bindings.variables = values;
      for (const v of variables) {
        const out = v.expression.evaluate(bindings);
        if ('error' in out) failed.set(v.name, out.error);
        else values.set(v.name, out.value as CelInput);
      }
      const variableError = (expression: string): string | undefined => {
        for (const [name, error] of failed) {
          if (new RegExp(`\\bvariables\\.${name}\\b`).test(expression)) return `expression '${expression}' resulted in error: composited variable "${name}" fails to compile: ${error}`;
        }
        return undefined;
      };

      return validations.map((v): PolicyDecision => {
        const out = v.expression.evaluate(bindings);
        if ('error' in out) return onError(variableError(v.expression.expression) ?? out.error);
        if (out.value === true) return { action: 'admit' };
        let message = '';
        if (v.messageExpression) {
          const m = v.messageExpression.evaluate(bindings);
          if (!('error' in m) && typeof m.value === 'string') {
            message = m.value.trim();
            if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES || message.includes('\n')) message = '';
          }
        }
        if (message === '' && v.message) message = v.message.trim();
        if (message === '') message = `failed expression: ${v.expression.expression.trim()}`;
        return { action: 'deny', message, reason: v.reason || 'Invalid' };
      });
    },
  };
}
