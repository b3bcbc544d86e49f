/** Validation of a structured meta/v1 LabelSelector, with upstream's messages. */
import type { LabelSelector } from '../../../gen/kube/meta-v1.js';
import { type FieldError, forbidden, invalidValue, required } from './field-error.js';
import { validateLabels } from './labels.js';
import { isQualifiedName } from './names.js';

export { validateLabels } from './labels.js';

/**
 * Validates matchLabels and matchExpressions of a selector at `path`. Values of the wrong
 * runtime type are reported, not trusted: the selector may come from an undecoded object.
 */
export function validateLabelSelector(selector: LabelSelector, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const matchLabels: unknown = selector.matchLabels;
  if (matchLabels && typeof matchLabels === 'object') errs.push(...validateLabels(matchLabels as Record<string, unknown>, `${path}.matchLabels`));
  const exprs: unknown[] = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  exprs.forEach((raw, i) => {
    const e = (raw ?? {}) as { key?: unknown; operator?: unknown; values?: unknown };
    const p = `${path}.matchExpressions[${i}]`;
    const values = Array.isArray(e.values) ? e.values : [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalidValue(`${p}.operator`, e.operator ?? '', 'not a valid selector operator'));
    }
    const key = typeof e.key === 'string' ? e.key : '';
    for (const msg of isQualifiedName(key)) errs.push(invalidValue(`${p}.key`, key, msg));
  });
  return errs;
}
