/**
 * The catalog of served resources: enabled definitions grouped by group version, each
 * with its store. Discovery, routes, gRPC services and OpenAPI are derived from it.
 */
import { compareVersions } from '../machinery/meta/gvk.js';
import type { ResourceDefinition } from '../registry/rest/definition.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';
import { subresources } from './verbs.js';

/** A group version and the resources served in it. */
export interface ServedGroupVersion {
  group: string;
  version: string;
  resources: ResourceStore[];
}

/** Lookup over everything the server serves. */
export interface ApiCatalog {
  /** All served resources, in registration order. */
  readonly stores: readonly ResourceStore[];
  /** Group versions, core first, then groups by name, versions by preference. */
  groupVersions(): ServedGroupVersion[];
  /** Group names in discovery order with their versions, most preferred first. */
  groups(): { name: string; versions: string[] }[];
  resource(group: string, version: string, resource: string): ResourceStore | undefined;
  /** By kind, for decoding protobuf envelopes and typed bodies. */
  kind(group: string, version: string, kind: string): ResourceStore | undefined;
  hasGroupVersion(group: string, version: string): boolean;
  /**
   * The protobuf message for a kind a request body may carry: a served kind, a
   * subresource's kind (autoscaling/v1 Scale) or a meta/v1 option kind (DeleteOptions).
   */
  bodyTypeName(group: string, version: string, kind: string): string | undefined;
}

/** meta/v1 kinds clients send as request bodies, registered in every group version. */
const META_BODY_KINDS = new Set(['DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions']);

/** Builds the catalog from stores. */
export function createCatalog(stores: ResourceStore[]): ApiCatalog {
  const byResource = new Map<string, ResourceStore>();
  const byKind = new Map<string, ResourceStore>();
  const gvs = new Map<string, ServedGroupVersion>();
  for (const s of stores) {
    const d: ResourceDefinition = s.definition;
    byResource.set(`${d.group}/${d.version}/${d.resource}`, s);
    byKind.set(`${d.group}/${d.version}/${d.kind}`, s);
    const key = `${d.group}/${d.version}`;
    let gv = gvs.get(key);
    if (!gv) {
      gv = { group: d.group, version: d.version, resources: [] };
      gvs.set(key, gv);
    }
    gv.resources.push(s);
  }
  const ordered = [...gvs.values()].sort((a, b) => {
    if (a.group !== b.group) {
      if (a.group === '') return -1;
      if (b.group === '') return 1;
      return 0;
    }
    return compareVersions(a.version, b.version);
  });
  return {
    stores,
    groupVersions: () => ordered,
    groups() {
      const out: { name: string; versions: string[] }[] = [];
      for (const gv of ordered) {
        if (gv.group === '') continue;
        const g = out.find((x) => x.name === gv.group);
        if (g) g.versions.push(gv.version);
        else out.push({ name: gv.group, versions: [gv.version] });
      }
      return out;
    },
    resource: (group, version, resource) => byResource.get(`${group}/${version}/${resource}`),
    kind: (group, version, kind) => byKind.get(`${group}/${version}/${kind}`),
    hasGroupVersion: (group, version) => gvs.has(`${group}/${version}`),
    bodyTypeName(group, version, kind) {
      const served = byKind.get(`${group}/${version}/${kind}`);
      if (served) return served.definition.typeName;
      for (const s of stores) {
        for (const sub of subresources(s.definition)) {
          if (sub.kind.group === group && sub.kind.version === version && sub.kind.kind === kind) return sub.kind.typeName;
        }
      }
      if (META_BODY_KINDS.has(kind) && (group === '' || group === 'meta.k8s.io' || gvs.has(`${group}/${version}`))) {
        return `k8s.io.apimachinery.pkg.apis.meta.v1.${kind}`;
      }
      return undefined;
    },
  };
}
