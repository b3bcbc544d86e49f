/** Which verbs a resource and its subresources serve: derived from the definition. */
import type { KindRef } from '../registry/rest/definition.js';
import type { ServedResource } from '../registry/rest/served.js';
import type { Verb } from './api-call.js';

const ALL: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const READ_WRITE: Verb[] = ['get', 'patch', 'update'];
/** A connect subresource (proxy) takes every method a named object can: upstream lists these. */
const CONNECT: Verb[] = ['create', 'delete', 'get', 'patch', 'update'];

/** The kind every `/scale` subresource speaks, whatever its parent. */
export const SCALE_KIND: Readonly<KindRef> = Object.freeze({
  group: 'autoscaling',
  version: 'v1',
  kind: 'Scale',
  typeName: 'k8s.io.api.autoscaling.v1.Scale',
});

/** meta/v1 DeleteOptions, the body of deletes. */
export const DELETE_OPTIONS_KIND: Readonly<KindRef> = Object.freeze({
  group: 'meta.k8s.io',
  version: 'v1',
  kind: 'DeleteOptions',
  typeName: 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
});

/** One subresource of a resource: its name, verbs and the kind its requests and replies carry. */
export interface Subresource {
  name: string;
  verbs: Verb[];
  kind: KindRef;
  /** A connect subresource: requests pass through to another server instead of reading or writing the object. */
  connect?: boolean;
  /** An action subresource (create only, with a kind of its own): its handler lives in the definition. */
  action?: boolean;
  /** Further kinds a request body may be (beside `kind`). */
  accepts?: KindRef[];
}

/** Verbs of the main resource, sorted as discovery lists them. */
export function resourceVerbs(def: ServedResource): Verb[] {
  const disabled = new Set(def.disabledVerbs ?? []);
  return ALL.filter((v) => !disabled.has(v));
}

/** The resource's own kind. */
export function definitionKind(def: ServedResource): KindRef {
  return { group: def.group, version: def.version, kind: def.kind, typeName: def.typeName };
}

/** Whether a subresource speaks a kind other than its parent's (discovery then names it). */
export function hasForeignKind(def: ServedResource, sub: Subresource): boolean {
  return sub.kind.group !== def.group || sub.kind.version !== def.version || sub.kind.kind !== def.kind;
}

/** Subresources with their verbs and kinds, sorted by name as discovery lists them. */
export function subresources(def: ServedResource): Subresource[] {
  const out: Subresource[] = [];
  for (const a of def.actions ?? []) {
    out.push({ name: a.name, verbs: ['create'], kind: a.kind, action: true, ...(a.accepts ? { accepts: a.accepts } : {}) });
  }
  if (def.proxy) {
    const kind = def.proxy.optionsKind;
    out.push({ name: 'proxy', verbs: CONNECT, kind: { group: '', version: 'v1', kind, typeName: `k8s.io.api.core.v1.${kind}` }, connect: true });
  }
  if (def.scale) out.push({ name: 'scale', verbs: READ_WRITE, kind: SCALE_KIND });
  if (def.statusStrategy) out.push({ name: 'status', verbs: READ_WRITE, kind: definitionKind(def) });
  for (const name of Object.keys(def.statusSubresources ?? {})) out.push({ name, verbs: READ_WRITE, kind: definitionKind(def) });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
