/** Validation of list options with upstream's messages (apimachinery ValidateListOptions). */
import { ApiError } from '../../machinery/errors/index.js';
import type { ListQuery } from '../rest/resource-store.js';

function invalidList(field: string, value: unknown, detail: string): ApiError {
  const body = value === undefined ? `Forbidden: ${detail}` : `Invalid value: ${JSON.stringify(value)}: ${detail}`;
  return new ApiError('Invalid', `ListOptions.meta.k8s.io "" is invalid: ${field}: ${body}`, {
    group: 'meta.k8s.io',
    kind: 'ListOptions',
    causes: [{ reason: value === undefined ? 'FieldValueForbidden' : 'FieldValueInvalid', message: body, field }],
  });
}

/** Rejects inconsistent list options before touching storage. */
export function validateListQuery(q: ListQuery): void {
  const match = q.resourceVersionMatch;
  if (match) {
    if (q.continue) throw invalidList('resourceVersionMatch', undefined, 'resourceVersionMatch is forbidden when continue is provided');
    if (!q.resourceVersion) throw invalidList('resourceVersionMatch', undefined, 'resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      const body = `Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan", ""`;
      throw new ApiError('Invalid', `ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: ${body}`, {
        group: 'meta.k8s.io',
        kind: 'ListOptions',
        causes: [{ reason: 'FieldValueNotSupported', message: body, field: 'resourceVersionMatch' }],
      });
    }
    if (match === 'Exact' && q.resourceVersion === '0') {
      throw invalidList('resourceVersionMatch', undefined, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    }
  }
  if (q.continue && q.resourceVersion && q.resourceVersion !== '0') {
    throw invalidList('resourceVersion', undefined, 'specifying resource version is not allowed when using continue');
  }
  checkResourceVersion(q.resourceVersion);
}

/** A resourceVersion is a decimal revision that fits a JS number exactly; anything else is a 400. */
export function checkResourceVersion(rv: string | undefined): void {
  if (rv && (!/^\d+$/.test(rv) || !Number.isSafeInteger(Number(rv)))) {
    throw new ApiError('BadRequest', `Invalid value: ${JSON.stringify(rv)}: resourceVersion must be a non-negative integer`);
  }
}
