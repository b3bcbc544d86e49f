/** Aggregated discovery (apidiscovery.k8s.io v2 and v2beta1) for `/api` and `/apis`. */
import type { ApiCatalog, ServedGroupVersion } from '../catalog.js';
import { resourceVerbs, subresources } from '../verbs.js';

/** The aggregated discovery versions we serve, most preferred first. */
export const AGGREGATED_VERSIONS = ['v2', 'v2beta1'] as const;
export type AggregatedVersion = (typeof AGGREGATED_VERSIONS)[number];

/** The exact response Content-Type client-go needs to recognise the document. */
export function aggregatedContentType(v: AggregatedVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function versionDoc(gv: ServedGroupVersion): Record<string, unknown> {
  return {
    version: gv.version,
    freshness: 'Current',
    // Upstream lists a version's resources, and each resource's subresources, by name.
    resources: [...gv.resources].sort((a, b) => byName(a.definition.resource, b.definition.resource)).map(({ definition: def }) => {
      const r: Record<string, unknown> = {
        resource: def.resource,
        responseKind: { group: def.group, version: def.version, kind: def.kind },
        scope: def.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: def.singular,
        verbs: resourceVerbs(def),
      };
      if (def.shortNames?.length) r.shortNames = def.shortNames;
      if (def.categories?.length) r.categories = def.categories;
      const subs = [...subresources(def)].sort((a, b) => byName(a.name, b.name));
      if (subs.length) {
        r.subresources = subs.map((s) => ({
          subresource: s.name,
          responseKind: { group: s.kind.group, version: s.kind.version, kind: s.kind.kind },
          verbs: s.verbs,
        }));
      }
      return r;
    }),
  };
}

/** The APIGroupDiscoveryList for `/api` (core) or `/apis` (named groups). */
export function aggregatedDiscovery(catalog: ApiCatalog, legacy: boolean, v: AggregatedVersion): Record<string, unknown> {
  const gvs = catalog.groupVersions().filter((gv) => (gv.group === '') === legacy);
  const groups: { name: string; versions: ServedGroupVersion[] }[] = [];
  for (const gv of gvs) {
    const g = groups.find((x) => x.name === gv.group);
    if (g) g.versions.push(gv);
    else groups.push({ name: gv.group, versions: [gv] });
  }
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${v}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: legacy ? { creationTimestamp: null } : { name: g.name, creationTimestamp: null },
      versions: g.versions.map(versionDoc),
    })),
  };
}
