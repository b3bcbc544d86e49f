/**
 * `metadata.managedFields` ⇄ the updater's ManagedFields, as upstream encodes them: one
 * entry per manager identifier — manager, operation, subresource, and for Update entries
 * the API version (appliers keep one entry across versions) — sorted by operation, time,
 * manager, API version and subresource.
 */
import { FieldSet } from './set.js';
import type { ManagedFields } from './updater.js';

/** meta/v1 ManagedFieldsEntry in its JSON shape. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** Decoded managed fields: the sets and, per manager, the entry's time. */
export interface Managed {
  fields: ManagedFields;
  times: Map<string, string | undefined>;
}

export function emptyManaged(): Managed {
  return { fields: new Map(), times: new Map() };
}

/** The identifier of an entry: its JSON without fields, type, time (and apiVersion for appliers). */
export function managerIdentifier(entry: Pick<ManagedFieldsEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: Record<string, string> = {};
  if (entry.manager) id['manager'] = entry.manager;
  if (entry.operation) id['operation'] = entry.operation;
  if (entry.apiVersion && entry.operation !== 'Apply') id['apiVersion'] = entry.apiVersion;
  if (entry.subresource) id['subresource'] = entry.subresource;
  return JSON.stringify(id);
}

/** The entry fields an identifier carries. */
export function parseManagerIdentifier(id: string): ManagedFieldsEntry {
  try {
    const v = JSON.parse(id) as unknown;
    if (v && typeof v === 'object') return v as ManagedFieldsEntry;
  } catch {
    // not an identifier we built: a plain name
  }
  return { manager: id };
}

/** Decodes entries; throws with upstream's message on an invalid one. */
export function decodeManagedFields(entries: readonly ManagedFieldsEntry[] | undefined): Managed {
  const managed = emptyManaged();
  (entries ?? []).forEach((entry, i) => {
    if (entry.operation !== 'Apply' && entry.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (!entry.apiVersion) throw new Error('apiVersion must not be empty');
    if (!entry.fieldsType) throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (entry.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(entry.fieldsType)} in managed fields entry ${i}`);
    const id = managerIdentifier(entry);
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(entry.fieldsV1 ?? {});
    } catch (err) {
      throw new Error(`error decoding set: ${(err as Error).message}`);
    }
    managed.fields.set(id, { set, apiVersion: entry.apiVersion, applied: entry.operation === 'Apply' });
    managed.times.set(id, entry.time);
  });
  return managed;
}

function seconds(time: string | undefined): number {
  if (!time) return 0;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** Encodes managed fields; undefined when there are none (the field is dropped). */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.fields.size === 0) return undefined;
  const entries: ManagedFieldsEntry[] = [];
  for (const [id, vs] of managed.fields) {
    const base = parseManagerIdentifier(id);
    const entry: ManagedFieldsEntry = {};
    if (base.manager) entry.manager = base.manager;
    entry.operation = vs.applied ? 'Apply' : (base.operation ?? 'Update');
    entry.apiVersion = vs.apiVersion;
    const time = managed.times.get(id);
    if (time) entry.time = time;
    entry.fieldsType = 'FieldsV1';
    entry.fieldsV1 = vs.set.toFieldsV1();
    if (base.subresource) entry.subresource = base.subresource;
    entries.push(entry);
  }
  const str = (a: string | undefined, b: string | undefined): number => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);
  return entries.sort(
    (p, q) =>
      str(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      str(p.manager, q.manager) ||
      str(p.apiVersion, q.apiVersion) ||
      str(p.subresource, q.subresource),
  );
}

/** `managedFields: []` or `[{}]` in a request: the writer asks to clear them. */
export function isResetManagedFields(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && entries[0] !== null && typeof entries[0] === 'object' && Object.keys(entries[0] as object).length === 0;
}
