/**
 * managedFields on every write, and server-side apply, for whichever transport the call
 * came on. Each served resource (and subresource) gets one FieldManager over its schema;
 * handlers pass it the live and the new object as upstream's Go structs would show them
 * (see go-view.ts) and keep the managedFields it computes on the canonical object.
 */
import { ApiError, invalid, type StatusCause } from '../machinery/errors/index.js';
import { FieldManager, FieldSet, MergeError, typeNodeForMessage, typeNodeForOpenApi, ApplyConflicts, parseManagerIdentifier, type Conflict, type TypeNode, type VersionConverter } from '../machinery/fieldmanager/index.js';
import { goView } from '../machinery/fieldmanager/go-view.js';
import type { KubeObject } from '../machinery/meta/object.js';
import { definitionApiVersion } from '../registry/rest/definition.js';
import { servedViews, type ServedResource } from '../registry/rest/served.js';
import type { ResolvedCall } from './api-call.js';

/** Longest manager name upstream accepts (validation.FieldManagerMaxLength). */
const FIELD_MANAGER_MAX_LENGTH = 128;

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const managers = new WeakMap<ServedResource, Map<string, FieldManager>>();

export function typeNodeOf(def: ServedResource): TypeNode {
  if (def.schema.proto) return typeNodeForMessage(def.schema.proto.typeName);
  if (def.schema.openapi) return typeNodeForOpenApi(def.schema.openapi);
  return { kind: 'untyped' };
}

/**
 * What the (sub)resource's managers may not own: the definition's own list, else status on
 * the main resource and spec through /status.
 */
function resetFields(def: ServedResource, subresource: string | undefined): FieldSet | undefined {
  const own = def.resetFields?.[subresource ?? ''];
  if (own) return FieldSet.of(...own.map((path) => path.map((field) => ({ field }))));
  if (!def.statusStrategy) return undefined;
  if (subresource === 'status') return FieldSet.of([{ field: 'spec' }]);
  if (subresource === undefined) return FieldSet.of([{ field: 'status' }]);
  return undefined;
}

/**
 * For a kind with several versions: an object at `def`'s version as another version shows
 * it (through the storage version), so managers that wrote through that version keep or
 * lose exactly the fields they own there.
 */
function versionConverter(def: ServedResource): VersionConverter | undefined {
  const views = servedViews(def.definition).filter((v) => v.kind === def.kind || v.resource === def.definition.resource);
  if (views.length < 2) return undefined;
  const byVersion = new Map<string, ServedResource>();
  for (const v of views) if (!byVersion.has(definitionApiVersion(v))) byVersion.set(definitionApiVersion(v), v);
  const self = definitionApiVersion(def);
  return {
    convert(obj, apiVersion) {
      const target = byVersion.get(apiVersion);
      if (!target) return undefined;
      const type = typeNodeOf(target);
      if (apiVersion === self) return { value: obj, type };
      const converted = target.fromStorage(def.toStorage(obj as KubeObject));
      return { value: managedView(target, converted), type };
    },
  };
}

/** The field manager of `def` for writes to `subresource` (undefined: the object itself). */
export function fieldManagerFor(def: ServedResource, subresource?: string): FieldManager {
  let byTarget = managers.get(def);
  if (!byTarget) managers.set(def, (byTarget = new Map()));
  const key = subresource ?? '';
  let fm = byTarget.get(key);
  if (!fm) {
    const reset = resetFields(def, subresource);
    const converter = versionConverter(def);
    fm = new FieldManager({
      type: typeNodeOf(def),
      apiVersion: definitionApiVersion(def),
      ...(converter ? { converter } : {}),
      ...(subresource ? { subresource } : {}),
      ...(reset ? { resetFields: reset } : {}),
    });
    byTarget.set(key, fm);
  }
  return fm;
}

/** The object as the field manager compares it (Go's zero-valued members filled in). */
export function managedView(def: ServedResource, obj: KubeObject): Record<string, unknown> {
  return def.schema.proto ? goView(def.schema.proto.typeName, obj as Record<string, unknown>) : (obj as Record<string, unknown>);
}

const emptyViews = new WeakMap<ServedResource, Record<string, unknown>>();

/**
 * The kind's empty object at this version, as the field manager compares it: built once per
 * served version (the field manager only reads it).
 */
export function emptyManagedView(def: ServedResource): Record<string, unknown> {
  let view = emptyViews.get(def);
  if (!view) emptyViews.set(def, (view = { apiVersion: definitionApiVersion(def), kind: def.kind, ...managedView(def, {} as KubeObject) }));
  return view;
}

/** The manager a write is recorded under: `fieldManager`, else the User-Agent up to its first `/`. */
export function managerName(call: Pick<ResolvedCall, 'options' | 'userAgent'>): string {
  if (call.options.fieldManager) return call.options.fieldManager;
  let out = '';
  for (const ch of (call.userAgent ?? '').split('/')[0] ?? '') {
    if (!PRINTABLE.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
  }
  return out;
}

/** upstream's checks of fieldManager and force for a write (422 on the options kind). */
export function checkWriteOptions(call: ResolvedCall, optionsKind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): void {
  const causes: StatusCause[] = [];
  const manager = call.options.fieldManager;
  if (optionsKind === 'PatchOptions') {
    if (call.patchType !== 'apply') {
      if (call.options.force !== undefined) causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' });
    } else if (!manager) {
      causes.push({ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' });
    }
  }
  if (manager) {
    if (Buffer.byteLength(manager) > FIELD_MANAGER_MAX_LENGTH) {
      causes.push({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`, field: 'fieldManager' });
    }
    for (const ch of manager) {
      if (!PRINTABLE.test(ch)) {
        causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(manager)}: must only contain printable characters`, field: 'fieldManager' });
        break;
      }
    }
  }
  if (causes.length > 0) throw invalid(optionsKind, 'meta.k8s.io', '', causes);
}

/**
 * Records a non-apply write: `next` (canonical, changed in place) gets the managedFields
 * of `manager` writing it over `live` (undefined on create). `reset`: the request set
 * managedFields to `[]` or `[{}]`.
 */
export function recordUpdate(def: ServedResource, subresource: string | undefined, live: KubeObject | undefined, next: KubeObject, manager: string, reset: boolean): void {
  const fm = fieldManagerFor(def, subresource);
  const liveView = live ? managedView(def, live) : emptyManagedView(def);
  const nextView = managedView(def, { ...next, apiVersion: definitionApiVersion(def), kind: def.kind });
  let result: Record<string, unknown>;
  try {
    result = fm.update(liveView, nextView, manager, reset);
  } catch (err) {
    // Upstream's UpdateNoErrors: an object the field manager cannot take apart (duplicate
    // keys in a set or map list) is written without managedFields, and validation speaks.
    if (!(err instanceof MergeError)) throw err;
    delete (next.metadata ??= {}).managedFields;
    return;
  }
  const entries = (result['metadata'] as { managedFields?: unknown } | undefined)?.managedFields;
  const meta = (next.metadata ??= {});
  if (entries) (meta as Record<string, unknown>)['managedFields'] = entries;
  else delete (meta as Record<string, unknown>)['managedFields'];
}

function printManager(id: string): string {
  const e = parseManagerIdentifier(id);
  let s = JSON.stringify(e.manager ?? '');
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion ?? ''}`;
  return s;
}

/** 409 with upstream's message and one FieldManagerConflict cause per conflicting field. */
export function applyConflictError(err: ApplyConflicts): ApiError {
  const sorted: Conflict[] = [...err.conflicts];
  const causes: StatusCause[] = sorted.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: c.path }));
  let message: string;
  if (sorted.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(sorted[0]!.manager)}: ${sorted[0]!.path}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of sorted) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${printManager(m)}:`);
      for (const p of byManager.get(m)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError('Conflict', message, { causes });
}
