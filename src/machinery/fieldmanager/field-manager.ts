/**
 * Field management for one kind at one API version (and subresource), as kube-apiserver
 * layers it around structured-merge-diff: managers are identified by name, operation,
 * subresource (and API version for updates); the object's identity and bookkeeping
 * fields (apiVersion, kind, metadata name/namespace/uid/…/managedFields) are never owned;
 * an update merges into the manager's existing entry and stamps its time only when it
 * took fields; at most ten update entries are kept (older ones fold into
 * `ancient-changes`); and `kubectl` applying over a client-side-applied object may take
 * the fields its last-applied-configuration already held, keeping that annotation current.
 */
import { nowRfc3339 } from '../../util/rfc3339.js';
import { decodeManagedFields, emptyManaged, encodeManagedFields, managerIdentifier, type Managed, type ManagedFieldsEntry } from './managed-fields.js';
import { pathToString } from './path.js';
import { goJson } from './value.js';
import { FieldSet } from './set.js';
import { compare, toFieldSet } from './typed.js';
import type { TypeNode } from './type-node.js';
import { ApplyConflicts, Updater, type ManagedFields, type VersionConverter } from './updater.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';
const CURRENT_OPERATION = 'current-operation';

const STRIPPED = FieldSet.of(
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((f) => [{ field: 'metadata' }, { field: f }]),
);

type Obj = Record<string, unknown>;

export interface FieldManagerOptions {
  /** The node of the kind's object. */
  readonly type: TypeNode;
  /** `group/version` (or `v1`) of the requests this manager serves. */
  readonly apiVersion: string;
  /** `status`, `scale`, or undefined for the main resource. */
  readonly subresource?: string;
  /** Fields no manager of this (sub)resource owns, e.g. `status` on the main resource. */
  readonly resetFields?: FieldSet;
  /** Shows objects at the kind's other versions, for managers that recorded fields there. */
  readonly converter?: VersionConverter;
  /** Clock, for tests. */
  readonly now?: () => string;
}

/** Thrown for an apply request the field manager refuses (400). */
export class ApplyRequestError extends Error {}

function metadataOf(obj: Obj): Obj {
  const m = obj['metadata'];
  return m && typeof m === 'object' && !Array.isArray(m) ? (m as Obj) : {};
}

function withoutManagedFields(obj: Obj): Obj {
  const metadata = { ...metadataOf(obj) };
  delete metadata['managedFields'];
  return { ...obj, metadata };
}

function setManagedFields(obj: Obj, entries: ManagedFieldsEntry[] | undefined): Obj {
  const metadata = { ...metadataOf(obj) };
  if (entries) metadata['managedFields'] = entries;
  else delete metadata['managedFields'];
  return { ...obj, metadata };
}


export class FieldManager {
  private readonly updater: Updater;
  private readonly now: () => string;

  constructor(private readonly opts: FieldManagerOptions) {
    const ignored = new Map<string, FieldSet>();
    if (opts.resetFields) ignored.set(opts.apiVersion, opts.resetFields);
    this.updater = new Updater({ ignored, ...(opts.converter ? { converter: opts.converter } : {}) });
    this.now = opts.now ?? nowRfc3339;
  }

  private id(manager: string, operation: 'Apply' | 'Update'): string {
    return managerIdentifier({ manager: manager || 'unknown', operation, apiVersion: this.opts.apiVersion, ...(this.opts.subresource ? { subresource: this.opts.subresource } : {}) });
  }

  /**
   * A non-apply write (create: `live` is the kind's empty object) of `next` by `manager`:
   * returns `next` with its managedFields. `reset` when the request cleared managedFields.
   * Managed fields that cannot be decoded are rebuilt from scratch rather than failing the write.
   */
  update(live: Obj, next: Obj, manager: string, reset = false): Obj {
    const managed = this.managedForUpdate(live, next, reset);
    const liveValue = withoutManagedFields(live);
    const nextValue = withoutManagedFields(next);
    const id = this.id(manager, 'Update');
    const { managers } = this.updater.update(liveValue, nextValue, this.opts.type, this.opts.apiVersion, managed.fields, CURRENT_OPERATION);
    const current = managers.get(CURRENT_OPERATION);
    managers.delete(CURRENT_OPERATION);
    if (current) {
      const stripped = current.set.difference(STRIPPED);
      if (!stripped.isEmpty()) {
        const previous = managers.get(id);
        managers.set(id, { set: previous ? stripped.union(previous.set) : stripped, apiVersion: current.apiVersion, applied: false });
        managed.times.set(id, this.now());
      }
    }
    managed.fields = managers;
    capUpdateManagers(managed);
    return setManagedFields(nextValue, encodeManagedFields(managed));
  }

  private managedForUpdate(live: Obj, next: Obj, reset: boolean): Managed {
    const fromLive = (): Managed => {
      try {
        return decodeManagedFields(metadataOf(live)['managedFields'] as ManagedFieldsEntry[] | undefined);
      } catch {
        return emptyManaged();
      }
    };
    if (this.opts.subresource) return fromLive();
    if (reset) return emptyManaged();
    try {
      const own = decodeManagedFields(metadataOf(next)['managedFields'] as ManagedFieldsEntry[] | undefined);
      return own.fields.size > 0 ? own : fromLive();
    } catch {
      return fromLive();
    }
  }

  /**
   * Applies configuration `config` (already checked against the schema) for `manager`
   * over `live` (undefined when the object does not exist yet; `empty` is then the kind's
   * empty object). Returns the merged object with managedFields. Throws ApplyConflicts
   * unless `force`, and ApplyRequestError for a configuration apply refuses.
   */
  apply(live: Obj | undefined, empty: Obj, config: Obj, manager: string, force: boolean): Obj {
    if (config['apiVersion'] !== this.opts.apiVersion) {
      throw new ApplyRequestError(`Incorrect version specified in apply patch. Specified patch version: ${String(config['apiVersion'] ?? '')}, expected: ${this.opts.apiVersion}`);
    }
    if (metadataOf(config)['managedFields'] !== undefined) throw new ApplyRequestError('metadata.managedFields must be nil');
    const base = live ?? empty;
    let managed: Managed;
    try {
      managed = decodeManagedFields(metadataOf(base)['managedFields'] as ManagedFieldsEntry[] | undefined);
    } catch (err) {
      throw new Error(`failed to decode managed fields: ${(err as Error).message}`);
    }
    const liveValue = withoutManagedFields(base);
    const id = this.id(manager, 'Apply');
    const attempt = (forced: boolean): { object: Obj; managers: ManagedFields } => {
      const { object, managers } = this.updater.apply(liveValue, config, this.opts.type, this.opts.apiVersion, managed.fields, id, forced);
      return { object: (object as Obj | undefined) ?? liveValue, managers };
    };
    let result: { object: Obj; managers: ManagedFields; changed: boolean };
    try {
      const r = attempt(force);
      result = { ...r, changed: r.object !== liveValue };
    } catch (err) {
      if (!(err instanceof ApplyConflicts) || manager !== 'kubectl') throw err;
      // kubectl moving from client-side apply: fields its last-applied configuration
      // already holds, with the live values, are not conflicts.
      const allowed = this.allowedFromLastApplied(liveValue);
      const remaining = err.conflicts.filter((c) => !allowed.has(c.path));
      if (remaining.length > 0) throw new ApplyConflicts(remaining);
      const r = attempt(true);
      result = { ...r, changed: r.object !== liveValue };
    }
    const vs = result.managers.get(id);
    if (vs) {
      const stripped = vs.set.difference(STRIPPED);
      if (stripped.isEmpty()) result.managers.delete(id);
      else result.managers.set(id, { ...vs, set: stripped });
    }
    managed.fields = result.managers;
    if (result.changed) managed.times.set(id, this.now());
    let object = result.object;
    if (manager === 'kubectl') object = updateLastApplied(object, config);
    return setManagedFields(object, encodeManagedFields(managed));
  }

  /** Paths of the last-applied configuration whose values the live object still has. */
  private allowedFromLastApplied(live: Obj): Set<string> {
    const annotations = metadataOf(live)['annotations'] as Record<string, unknown> | undefined;
    const text = annotations?.[LAST_APPLIED_ANNOTATION];
    const out = new Set<string>();
    if (typeof text !== 'string' || text === '') return out;
    let last: Obj;
    try {
      last = JSON.parse(text) as Obj;
    } catch {
      return out;
    }
    if (last['apiVersion'] !== this.opts.apiVersion) return out;
    const set = toFieldSet(last, this.opts.type);
    const diff = compare(last, live, this.opts.type);
    set
      .difference(diff.modified)
      .difference(diff.added)
      .difference(diff.removed)
      .iterate((p) => out.add(pathToString(p)));
    return out;
  }
}

/** kubectl applying server-side over an object that still has the client-side annotation keeps it current. */
function updateLastApplied(object: Obj, config: Obj): Obj {
  const annotations = metadataOf(object)['annotations'] as Record<string, unknown> | undefined;
  const current = annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof current !== 'string' || current === '') return object;
  const copy = structuredClone(config);
  const meta = metadataOf(copy);
  const ann = meta['annotations'] as Record<string, unknown> | undefined;
  if (ann) {
    delete ann[LAST_APPLIED_ANNOTATION];
    if (Object.keys(ann).length === 0) delete meta['annotations'];
  }
  const value = `${goJson(copy)}\n`;
  const next: Record<string, unknown> = { ...(annotations ?? {}), [LAST_APPLIED_ANNOTATION]: value };
  // upstream drops the annotation rather than exceed the annotations size limit (256 KiB).
  if (Object.entries(next).reduce((n, [k, v]) => n + k.length + String(v).length, 0) > 256 * 1024) delete next[LAST_APPLIED_ANNOTATION];
  return { ...object, metadata: { ...metadataOf(object), annotations: next } };
}

/** Keeps at most ten Update entries: the oldest fold into `ancient-changes` per API version. */
function capUpdateManagers(managed: Managed): void {
  const updaters = [...managed.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= MAX_UPDATE_MANAGERS) return;
  const secs = (id: string): number => {
    const t = managed.times.get(id);
    return t ? Math.floor(Date.parse(t) / 1000) : 0;
  };
  updaters.sort((a, b) => secs(a) - secs(b) || (a < b ? -1 : a > b ? 1 : 0));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > MAX_UPDATE_MANAGERS; i++) {
    const id = updaters[i]!;
    const vs = managed.fields.get(id)!;
    const time = managed.times.get(id);
    const bucket = managerIdentifier({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: vs.apiVersion });
    const first = firstByVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstByVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!managed.fields.has(bucket)) {
      const s = managed.fields.get(first)!;
      managed.fields.delete(first);
      managed.fields.set(bucket, s);
    }
    managed.fields.set(bucket, { set: vs.set.union(managed.fields.get(bucket)!.set), apiVersion: vs.apiVersion, applied: false });
    managed.fields.delete(id);
    managed.times.set(bucket, time);
    length--;
  }
}
