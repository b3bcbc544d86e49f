/**
 * Checking `metadata.managedFields` as kube-apiserver writes them: each entry's shape, the
 * order upstream sorts entries in, and the entries compared without their timestamps.
 */
import assert from 'node:assert/strict';

/** One managedFields entry without its `time` (which tests cannot predict). */
export interface ManagedEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** RFC 3339 at second precision, as metav1.Time serialises. */
export const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

const ENTRY_KEYS = new Set(['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource']);

/**
 * Asserts `object.metadata.managedFields` holds exactly `expected` (compared ignoring order),
 * that every entry has a `time` except those of the managers in `untimed`, which have none
 * (upstream leaves it unset when an apply changed nothing for a manager new to the object,
 * and for a manager new through the scale subresource), and that the
 * entries come in upstream's order: by operation (Apply before Update), then time, then
 * manager, apiVersion and subresource.
 */
export function assertManagedFields(object: any, expected: ManagedEntry[], untimed: string[] = []): void {
  const entries: any[] = object?.metadata?.managedFields;
  assert.ok(Array.isArray(entries), `metadata.managedFields missing: ${JSON.stringify(object?.metadata)}`);
  for (const e of entries) {
    for (const k of Object.keys(e)) assert.ok(ENTRY_KEYS.has(k), `unexpected managedFields key ${k} in ${JSON.stringify(e)}`);
    if (untimed.includes(e.manager)) assert.equal(e.time, undefined, `${e.manager} has no time`);
    else assert.match(e.time ?? '', TIME, `time of ${e.manager}`);
  }
  const withoutTime = entries.map(({ time: _time, ...rest }) => rest);
  assert.deepEqual(sortEntries(withoutTime), sortEntries(expected));
  const sortKey = (e: any): string[] => [e.operation, e.time ?? '', e.manager, e.apiVersion, e.subresource ?? ''];
  for (let i = 1; i < entries.length; i++) {
    const a = sortKey(entries[i - 1]);
    const b = sortKey(entries[i]);
    assert.ok(compareKeys(a, b) <= 0, `managedFields out of upstream's order: ${JSON.stringify(a)} before ${JSON.stringify(b)}`);
  }
}

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}

function sortEntries<T extends { manager: string; operation: string; subresource?: string }>(entries: T[]): T[] {
  const key = (e: T): string => `${e.manager}\u0000${e.operation}\u0000${e.subresource ?? ''}`;
  return [...entries].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** An entry literal, defaulting fieldsType. */
export function entry(
  manager: string,
  operation: 'Apply' | 'Update',
  apiVersion: string,
  fieldsV1: Record<string, unknown>,
  subresource?: string,
): ManagedEntry {
  const e: ManagedEntry = { manager, operation, apiVersion, fieldsType: 'FieldsV1', fieldsV1 };
  if (subresource) e.subresource = subresource;
  return e;
}
