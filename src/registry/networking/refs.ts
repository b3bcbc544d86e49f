/** Small pieces shared by the networking and discovery kinds: object references and list cells. */
import type { TypedLocalObjectReference } from '../../../gen/kube/core-v1.js';
import { type FieldError, invalidValue, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { pathSegmentNameProblems } from '../../machinery/validation/path-segment.js';
import { str } from '../core/fields.js';

/** A reference by API group, kind and name (an Ingress `resource` backend, IngressClass parameters). */
export function validateTypedReference(ref: TypedLocalObjectReference & { apiGroup?: string | null }, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (ref.apiGroup !== undefined && ref.apiGroup !== null) for (const msg of isDns1123Subdomain(ref.apiGroup)) errs.push(invalidValue(`${path}.apiGroup`, ref.apiGroup, msg));
  for (const key of ['kind', 'name'] as const) {
    const value = str(ref[key]);
    if (!value) errs.push(required(`${path}.${key}`));
    else for (const msg of pathSegmentNameProblems(value)) errs.push(invalidValue(`${path}.${key}`, value, msg));
  }
  return errs;
}

/** Upstream printers' list cell: the first `max` entries, then ` + N more...`; `<unset>` when empty. */
export function listWithMore(list: readonly string[], max: number): string {
  const shown = list.slice(0, max).join(',');
  if (list.length > max) return `${shown} + ${list.length - max} more...`;
  return shown === '' ? '<unset>' : shown;
}
