/**
 * Validation of list and watch options with upstream's messages (apimachinery's
 * ValidateListOptions: every problem is reported, as one 422), and resourceVersion
 * parsing as upstream's storage versioner does it (Go's strconv.ParseUint).
 */
import { ApiError, badRequest, type StatusCause } from '../../machinery/errors/index.js';
import type { ListQuery } from '../rest/resource-store.js';

const UINT64_MAX = 2n ** 64n - 1n;

function forbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field };
}

function notSupported(field: string, value: string, supported: string[]): StatusCause {
  return {
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
    field,
  };
}

function invalidOptions(causes: StatusCause[]): ApiError {
  const list = causes.map((c) => `${c.field}: ${c.message}`);
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new ApiError('Invalid', `ListOptions.meta.k8s.io "" is invalid: ${summary}`, { group: 'meta.k8s.io', kind: 'ListOptions', causes });
}

/** Rejects inconsistent list options before touching storage (422 with every problem). */
export function validateListQuery(q: ListQuery): void {
  const causes: StatusCause[] = [];
  const match = q.resourceVersionMatch;
  if (match) {
    if (!q.resourceVersion) causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (q.continue) causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== 'NotOlderThan') causes.push(notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    if (match === 'Exact' && q.resourceVersion === '0') {
      causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
    }
  }
  if (q.sendInitialEvents !== undefined) causes.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  if (causes.length) throw invalidOptions(causes);
}

/** Rejects inconsistent watch options (upstream's watch branch of ValidateListOptions). */
export function validateWatchQuery(q: ListQuery): void {
  const causes: StatusCause[] = [];
  const match = q.resourceVersionMatch;
  if (q.sendInitialEvents !== undefined && match !== 'NotOlderThan') {
    causes.push(forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
  }
  if (match) {
    if (q.sendInitialEvents === undefined) causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
    if (match !== 'NotOlderThan') causes.push(notSupported('resourceVersionMatch', match, ['NotOlderThan']));
    if (q.continue) causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
  }
  if (causes.length) throw invalidOptions(causes);
}

/**
 * Parses a resourceVersion as upstream's versioner does: "" and "0" are 0, anything else
 * must be a uint64. Returns undefined (the Go error text) when it is not one.
 */
function parseUint64(rv: string): bigint | string {
  if (!/^\d+$/.test(rv)) return `strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`;
  const n = BigInt(rv);
  if (n > UINT64_MAX) return `strconv.ParseUint: parsing ${JSON.stringify(rv)}: value out of range`;
  return n;
}

/** Where a resourceVersion was given: upstream words a list's bad value with a prefix. */
export type ResourceVersionUse = 'list' | 'get' | 'watch';

/**
 * The revision a read names: 0n for unset and "0", else the uint64; 400 when malformed
 * (`invalid resource version: resourceVersion: Invalid value: …` on lists, as upstream;
 * upstream's get and watch answer a 500 with the bare field error, here a 400 with it).
 */
export function parseReadResourceVersion(rv: string | undefined, use: ResourceVersionUse): bigint {
  if (rv === undefined || rv === '' || rv === '0') return 0n;
  const n = parseUint64(rv);
  if (typeof n === 'bigint') return n;
  const fieldError = `resourceVersion: Invalid value: ${JSON.stringify(rv)}: ${n}`;
  return badRequestThrow(use === 'list' ? `invalid resource version: ${fieldError}` : fieldError);
}

function badRequestThrow(message: string): never {
  throw badRequest(message);
}

/** A malformed resourceVersion is a 400 (see {@link parseReadResourceVersion}). */
export function checkResourceVersion(rv: string | undefined, use: ResourceVersionUse = 'watch'): void {
  parseReadResourceVersion(rv, use);
}
