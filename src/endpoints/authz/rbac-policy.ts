/**
 * The RBAC objects the authorizer evaluates, read from the served rbac.authorization.k8s.io/v1
 * resources: a snapshot reused while it is fresh, and read again (consistently) on demand.
 */
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../../gen/kube/rbac-v1.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { ApiCatalog } from '../catalog.js';

const GROUP = 'rbac.authorization.k8s.io';

/** One consistent-enough view of the cluster's RBAC objects. */
export interface RbacPolicy {
  clusterRoles: ReadonlyMap<string, ClusterRole>;
  /** Roles by `namespace/name`. */
  roles: ReadonlyMap<string, Role>;
  clusterRoleBindings: readonly ClusterRoleBinding[];
  /** RoleBindings by namespace. */
  roleBindings: ReadonlyMap<string, readonly RoleBinding[]>;
}

export interface RbacPolicySource {
  /** A snapshot no older than the refresh interval. */
  current(): Promise<RbacPolicy>;
  /** A snapshot that includes every acknowledged write (a consistent read). */
  latest(): Promise<RbacPolicy>;
}

const EMPTY: RbacPolicy = { clusterRoles: new Map(), roles: new Map(), clusterRoleBindings: [], roleBindings: new Map() };

async function listAll(catalog: ApiCatalog, resource: string): Promise<KubeObject[]> {
  const store = catalog.resource(GROUP, 'v1', resource);
  if (!store) return [];
  return (await store.list(undefined, {})).items ?? [];
}

async function readPolicy(catalog: ApiCatalog): Promise<RbacPolicy> {
  const [clusterRoles, roles, clusterRoleBindings, roleBindings] = await Promise.all(
    ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings'].map((r) => listAll(catalog, r)),
  );
  const byNamespace = new Map<string, RoleBinding[]>();
  for (const b of roleBindings ?? []) {
    const ns = b.metadata?.namespace ?? '';
    const list = byNamespace.get(ns);
    if (list) list.push(b as RoleBinding);
    else byNamespace.set(ns, [b as RoleBinding]);
  }
  return {
    clusterRoles: new Map((clusterRoles ?? []).map((r) => [r.metadata?.name ?? '', r as ClusterRole])),
    roles: new Map((roles ?? []).map((r) => [`${r.metadata?.namespace ?? ''}/${r.metadata?.name ?? ''}`, r as Role])),
    clusterRoleBindings: (clusterRoleBindings ?? []) as ClusterRoleBinding[],
    roleBindings: byNamespace,
  };
}

/** A policy source over the catalog's RBAC resources, refreshed at most every `refreshMs`. */
export function catalogPolicySource(catalog: ApiCatalog, refreshMs = 1000): RbacPolicySource {
  let snapshot: RbacPolicy = EMPTY;
  let readAt = -Infinity;
  let reading: Promise<RbacPolicy> | undefined;
  let next: Promise<RbacPolicy> | undefined;
  const read = (): Promise<RbacPolicy> => {
    const started = Date.now();
    const p = readPolicy(catalog).then((policy) => {
      snapshot = policy;
      readAt = started;
      return policy;
    });
    reading = p;
    void p.finally(() => {
      if (reading === p) reading = undefined;
    }).catch(() => undefined);
    return p;
  };
  // A read that must include every write acknowledged before it was asked starts after the
  // call: one in flight may have started earlier, so callers meanwhile share the next one.
  const refresh = (): Promise<RbacPolicy> => {
    if (!reading) return read();
    next ??= reading.catch(() => undefined).then(() => {
      next = undefined;
      return read();
    });
    return next;
  };
  return {
    current: () => (Date.now() - readAt < refreshMs ? Promise.resolve(snapshot) : refresh()),
    latest: () => refresh(),
  };
}
