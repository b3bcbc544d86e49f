/**
 * core/v1 LimitRange: per-namespace bounds and defaults for pods, containers and claims,
 * defaulted (a container limit's default from its max, its default request from the
 * default or min) and validated as upstream.
 */
import type { LimitRange, LimitRangeItem } from '../../../gen/kube/core-v1.js';
import { type FieldError, forbidden, invalidValue, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { CREATED_AT_COLUMN, type ResourceDefinition } from '../rest/definition.js';
import { declared } from '../rest/declared.js';
import { str } from './fields.js';
import { compareQuantities, resourceList } from './resource-lists.js';

const STANDARD_TYPES = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);

/** upstream's SetDefaults_LimitRangeItem, for every item of type Container. */
function defaultLimitRange(obj: LimitRange): void {
  for (const item of obj.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    const defaults = (item.default ??= {});
    const requests = (item.defaultRequest ??= {});
    for (const [k, q] of Object.entries(item.max ?? {})) defaults[k] ??= q;
    for (const [k, q] of Object.entries(defaults)) requests[k] ??= q;
    for (const [k, q] of Object.entries(item.min ?? {})) requests[k] ??= q;
  }
}

function validateItem(item: LimitRangeItem, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(item.type);
  if (!type.includes('/') && !STANDARD_TYPES.has(type)) errs.push(invalidValue(`${path}.type`, type, 'must be a standard limit type or fully qualified'));
  const min = resourceList(item.min);
  const max = resourceList(item.max);
  const isPod = type === 'Pod';
  const def = isPod ? {} : resourceList(item.default);
  const defReq = isPod ? {} : resourceList(item.defaultRequest);
  if (isPod && Object.keys(item.default ?? {}).length > 0) errs.push(forbidden(`${path}.default`, "may not be specified when `type` is 'Pod'"));
  if (isPod && Object.keys(item.defaultRequest ?? {}).length > 0) errs.push(forbidden(`${path}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
  if (type === 'PersistentVolumeClaim' && min['storage'] === undefined && max['storage'] === undefined) {
    errs.push(required(`${path}.limits`, 'either minimum or maximum storage value is required, but neither was provided'));
  }
  const keys = new Set([...Object.keys(min), ...Object.keys(max), ...Object.keys(def), ...Object.keys(defReq)]);
  const gt = (a: string | undefined, b: string | undefined): boolean => a !== undefined && b !== undefined && (compareQuantities(a, b) ?? 0) > 0;
  for (const k of [...keys].sort()) {
    const [mn, mx, d, dr] = [min[k], max[k], def[k], defReq[k]];
    if (gt(mn, mx)) errs.push(invalidValue(`${path}.min[${k}]`, mn, `min value ${mn} is greater than max value ${mx}`));
    if (gt(mn, dr)) errs.push(invalidValue(`${path}.defaultRequest[${k}]`, dr, `min value ${mn} is greater than default request value ${dr}`));
    if (gt(dr, mx)) errs.push(invalidValue(`${path}.defaultRequest[${k}]`, dr, `default request value ${dr} is greater than max value ${mx}`));
    if (gt(dr, d)) errs.push(invalidValue(`${path}.defaultRequest[${k}]`, dr, `default request value ${dr} is greater than default limit value ${d}`));
    if (gt(mn, d)) errs.push(invalidValue(`${path}.default[${k}]`, mn, `min value ${mn} is greater than default value ${d}`));
    if (gt(d, mx)) errs.push(invalidValue(`${path}.default[${k}]`, mx, `default value ${d} is greater than max value ${mx}`));
  }
  return errs;
}

function validateLimitRange(obj: LimitRange): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (obj.spec?.limits ?? []).forEach((item, i) => {
    const path = `spec.limits[${i}]`;
    errs.push(...validateItem(item, path));
    const type = str(item.type);
    if (seen.has(type)) errs.push({ type: 'Duplicate', field: `${path}.type`, value: type, detail: '' });
    seen.add(type);
  });
  return errs;
}

/** The LimitRange resource. */
export const limitRanges: ResourceDefinition<LimitRange> = {
  ...declared('', 'limitranges', { v1: { defaults: (obj) => defaultLimitRange(obj as LimitRange) } }),
  nameValidator: isDns1123Subdomain,
  // Upstream has no LimitRange printer: its default table convertor prints Name and Created At.
  printsAge: false,
  printerColumns: [CREATED_AT_COLUMN],
  strategy: {
    prepareForCreate: defaultLimitRange,
    prepareForUpdate: defaultLimitRange,
    validate: validateLimitRange,
    validateUpdate: (obj) => validateLimitRange(obj),
  },
};
