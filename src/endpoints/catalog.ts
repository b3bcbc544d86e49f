/**
 * The catalog of served resources: enabled definitions grouped by group version, each
 * with its store. Discovery, routes, gRPC services and OpenAPI are derived from it.
 */
import { compareVersions } from '../machinery/meta/gvk.js';
import { compareGroupsAggregated, compareVersionsInGroup, legacyGroupOrder } from './group-priority.js';
import type { ServedResource } from '../registry/rest/served.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';
import { subresources } from './verbs.js';

/** A group version and the resources served in it. */
export interface ServedGroupVersion {
  group: string;
  version: string;
  resources: ResourceStore[];
}

/** Lookup over everything the server serves; resources can be added and removed at run time. */
export interface ApiCatalog {
  /** All served resources, in registration order. */
  readonly stores: readonly ResourceStore[];
  /** Increases on every change. */
  readonly generation: number;
  /** Group versions: core first, then named groups in aggregated discovery order (upstream's priorities), versions most preferred first. */
  groupVersions(): ServedGroupVersion[];
  /** Named groups in `/apis` order with their versions, most preferred first. */
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
  /**
   * Serves more resources (e.g. a kind registered at run time); returns the function that
   * stops serving them. A (group, version, resource) served twice is an error.
   */
  register(stores: readonly ResourceStore[]): () => void;
  /** Runs `listener` after every change; returns the function that unsubscribes. */
  onChange(listener: () => void): () => void;
}

/** meta/v1 kinds clients send as request bodies, registered in every group version. */
const META_BODY_KINDS = new Set(['DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions']);

/** The lookup tables of one set of stores. */
interface CatalogIndex {
  byResource: Map<string, ResourceStore>;
  byKind: Map<string, ResourceStore>;
  gvs: Map<string, ServedGroupVersion>;
  ordered: ServedGroupVersion[];
  groups: { name: string; versions: string[] }[];
}

function indexStores(stores: readonly ResourceStore[]): CatalogIndex {
  const byResource = new Map<string, ResourceStore>();
  const byKind = new Map<string, ResourceStore>();
  const gvs = new Map<string, ServedGroupVersion>();
  for (const s of stores) {
    const d: ServedResource = s.definition;
    const key = `${d.group}/${d.version}`;
    if (byResource.has(`${key}/${d.resource}`)) throw new Error(`${d.resource} in ${key} is served twice`);
    byResource.set(`${key}/${d.resource}`, s);
    byKind.set(`${key}/${d.kind}`, s);
    let gv = gvs.get(key);
    if (!gv) {
      gv = { group: d.group, version: d.version, resources: [] };
      gvs.set(key, gv);
    }
    gv.resources.push(s);
  }
  // Named groups in aggregated discovery order, each group's versions most preferred first
  // (upstream's APIService priorities, group-priority.ts); /apis lists the groups in the
  // aggregator's APIService order instead.
  const byGroup = new Map<string, ServedGroupVersion[]>();
  for (const gv of gvs.values()) byGroup.set(gv.group, [...(byGroup.get(gv.group) ?? []), gv]);
  const named = [...byGroup.entries()]
    .filter(([group]) => group !== '')
    .map(([name, list]) => ({ name, list: list.sort((a, b) => compareVersionsInGroup(name, a.version, b.version)) }))
    .map((g) => ({ ...g, versions: g.list.map((gv) => gv.version) }))
    .sort(compareGroupsAggregated);
  const core = (byGroup.get('') ?? []).sort((a, b) => compareVersions(a.version, b.version));
  const ordered = [...core, ...named.flatMap((g) => g.list)];
  const legacyOrder = legacyGroupOrder(named);
  const groups = legacyOrder.map((name) => {
    const g = named.find((x) => x.name === name)!;
    return { name, versions: g.versions };
  });
  return { byResource, byKind, gvs, ordered, groups };
}

/** Builds the catalog from stores. */
export function createCatalog(initial: readonly ResourceStore[]): ApiCatalog {
  let stores: readonly ResourceStore[] = [...initial];
  let index = indexStores(stores);
  let generation = 0;
  const listeners = new Set<() => void>();
  const replace = (next: readonly ResourceStore[]): void => {
    index = indexStores(next);
    stores = next;
    generation++;
    for (const listener of [...listeners]) listener();
  };
  return {
    get stores() {
      return stores;
    },
    get generation() {
      return generation;
    },
    groupVersions: () => index.ordered,
    groups: () => index.groups,
    resource: (group, version, resource) => index.byResource.get(`${group}/${version}/${resource}`),
    kind: (group, version, kind) => index.byKind.get(`${group}/${version}/${kind}`),
    hasGroupVersion: (group, version) => index.gvs.has(`${group}/${version}`),
    bodyTypeName(group, version, kind) {
      const served = index.byKind.get(`${group}/${version}/${kind}`);
      if (served) return served.definition.typeName;
      for (const s of stores) {
        for (const sub of subresources(s.definition)) {
          for (const k of [sub.kind, ...(sub.accepts ?? [])]) {
            if (k.group === group && k.version === version && k.kind === kind) return k.typeName;
          }
        }
      }
      if (META_BODY_KINDS.has(kind) && (group === '' || group === 'meta.k8s.io' || index.gvs.has(`${group}/${version}`))) {
        return `k8s.io.apimachinery.pkg.apis.meta.v1.${kind}`;
      }
      return undefined;
    },
    register(added) {
      replace([...stores, ...added]);
      let registered = true;
      return () => {
        if (!registered) return;
        registered = false;
        replace(stores.filter((s) => !added.includes(s)));
      };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
