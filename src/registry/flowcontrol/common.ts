/**
 * What both flowcontrol kinds share: the comparison upstream uses for the fixed specs of the
 * mandatory objects, and the validation of status conditions.
 */
import { type FieldError, required } from '../../machinery/validation/field-error.js';
import { asObject, str } from '../core/fields.js';

/**
 * The value with what Go cannot tell from absent dropped (null, empty lists, "", false),
 * so two specs compare as upstream's semantic equality compares the Go structs. Zero numbers
 * stay: the pointer fields that differ between nil and 0 are defaulted before comparing.
 */
function goNormal(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map(goNormal);
  const obj = asObject(value);
  if (obj) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(obj).sort()) {
      const v = goNormal(obj[key]);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }
  if (value === null || value === '' || value === false) return undefined;
  return value;
}

/** Whether two specs are equal as upstream compares them. */
export function specsEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(goNormal(a) ?? {}) === JSON.stringify(goNormal(b) ?? {});
}

/** Condition types are required and unique (upstream's status validation of both kinds). */
export function validateConditions(conditions: readonly { type?: string }[] | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (conditions ?? []).forEach((c, i) => {
    const type = str(c.type);
    if (seen.has(type)) errs.push({ type: 'Duplicate', field: `status.conditions[${i}].type`, value: type, detail: '' });
    seen.add(type);
    if (!type) errs.push(required(`status.conditions[${i}].type`, 'must not be empty'));
  });
  return errs;
}
