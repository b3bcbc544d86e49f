/** Legacy (unaggregated) discovery documents, derived from the catalog. */
import { createHash } from 'node:crypto';
import type { ServedResource } from '../../registry/rest/served.js';
import type { ApiCatalog } from '../catalog.js';
import { hasForeignKind, resourceVerbs, subresources } from '../verbs.js';

/**
 * base64 of the first 8 bytes of SHA-256 over the storage version's `group/version/Kind`:
 * the same for every served version of a resource, so it changes only when storage does.
 */
export function storageVersionHash(def: ServedResource): string {
  const stored = `${def.group}/${def.storageVersion}/${def.definition.kind}`;
  return createHash('sha256').update(stored).digest().subarray(0, 8).toString('base64');
}

/** `/api`. */
export function apiVersions(catalog: ApiCatalog, serverAddress: string): Record<string, unknown> {
  const versions = catalog.groupVersions().filter((gv) => gv.group === '').map((gv) => gv.version);
  return {
    kind: 'APIVersions',
    versions,
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDoc(name: string, versions: string[]): Record<string, unknown> {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: list, preferredVersion: list[0] };
}

/** `/apis`. */
export function apiGroupList(catalog: ApiCatalog): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: catalog.groups().map((g) => groupDoc(g.name, g.versions)) };
}

/** `/apis/GROUP`, or undefined when not served. */
export function apiGroup(catalog: ApiCatalog, group: string): Record<string, unknown> | undefined {
  const g = catalog.groups().find((x) => x.name === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g.name, g.versions) } : undefined;
}

/** `/api/v1` or `/apis/GROUP/VERSION`, or undefined when not served. */
export function apiResourceList(catalog: ApiCatalog, group: string, version: string): Record<string, unknown> | undefined {
  const gv = catalog.groupVersions().find((x) => x.group === group && x.version === version);
  if (!gv) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const { definition: def } of gv.resources) {
    const entry: Record<string, unknown> = {
      name: def.resource,
      singularName: def.singular,
      namespaced: def.namespaced,
      kind: def.kind,
      verbs: resourceVerbs(def),
    };
    if (def.shortNames?.length) entry.shortNames = def.shortNames;
    if (def.categories?.length) entry.categories = def.categories;
    // Resources that are not stored (computed ones) have no storage version to hash, as upstream.
    if (!def.computed) entry.storageVersionHash = storageVersionHash(def);
    resources.push(entry);
    for (const sub of subresources(def)) {
      const subEntry: Record<string, unknown> = { name: `${def.resource}/${sub.name}`, singularName: '', namespaced: def.namespaced };
      // group and version are named only when the subresource's kind lives in another group version (Scale).
      if (hasForeignKind(def, sub) && (sub.kind.group !== def.group || sub.kind.version !== def.version)) Object.assign(subEntry, { group: sub.kind.group, version: sub.kind.version });
      resources.push({ ...subEntry, kind: sub.kind.kind, verbs: sub.verbs });
    }
  }
  // Upstream lists resources and their subresources by name.
  resources.sort((a, b) => (String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0));
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
