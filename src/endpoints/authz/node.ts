/**
 * The Node authorizer (`--authorization-mode=Node`), after upstream's
 * plugin/pkg/auth/authorizer/node: a kubelet, user `system:node:NAME` in group `system:nodes`,
 * reads only what the Pods bound to its node (`spec.nodeName`) need — their Secrets,
 * ConfigMaps, PersistentVolumeClaims and the PersistentVolumes those are bound to, tokens of
 * their ServiceAccounts, its VolumeAttachments —, reads only its own Node, its own Lease and
 * CSINode, lists Pods only by its `spec.nodeName`, and has upstream's static node rules for the
 * rest (upstream's NodeRules, the `system:node` ClusterRole's: events, CSRs, reviews, services, …). As upstream with AuthorizeNodeWithSelectors (1.33's
 * default), writes of Nodes, node status, pod status and mirror pods are allowed to any node:
 * limiting them to its own is the NodeRestriction admission plugin's work.
 *
 * Upstream keeps a graph fed by informers; here the relationships are computed when asked,
 * from the node's Pods as the pod store lists them (`spec.nodeName` field selector, served
 * from the watch cache), so a decision is never behind the store. Other users: no opinion.
 */
import type { PersistentVolumeClaim, Pod, PodSpec } from '../../../gen/kube/core-v1.js';
import { NODE_RULES } from '../../registry/rbac/bootstrap-policy.js';
import type { UserInfo } from '../api-call.js';
import type { ApiCatalog } from '../catalog.js';
import type { AuthorizationAttributes, Authorizer, Decision, ResourceAttributes } from './attributes.js';
import { ruleAllows } from './rbac-rules.js';

const NODES_GROUP = 'system:nodes';
const NODE_PREFIX = 'system:node:';
const NO_OPINION: Decision = { decision: 'noOpinion', reason: '' };
const ALLOW: Decision = { decision: 'allow', reason: '' };


/** Whether a field selector requires `spec.nodeName` to be exactly `node` (`=` or `==`). */
function selectsNode(fieldSelector: string | undefined, node: string): boolean {
  return (fieldSelector ?? '').split(',').some((term) => {
    const m = /^\s*spec\.nodeName\s*==?\s*(.*?)\s*$/.exec(term);
    return m?.[1] === node;
  });
}

/** The node a user is, by upstream's NodeIdentifier: `system:node:NAME` in `system:nodes` (NAME may be empty). */
export function nodeIdentity(user: Pick<UserInfo, 'name'> & { groups: readonly string[] }): string | undefined {
  if (!user.groups.includes(NODES_GROUP) || !user.name.startsWith(NODE_PREFIX)) return undefined;
  return user.name.slice(NODE_PREFIX.length);
}

/** Every container of a pod's spec, init and ephemeral ones included. */
function containers(spec: PodSpec): NonNullable<PodSpec['containers']> {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...((spec.ephemeralContainers ?? []) as NonNullable<PodSpec['containers']>)];
}

/** What one Pod references, by kind: Secrets, ConfigMaps, PVCs, its ServiceAccount (upstream's VisitPodSecretNames and friends). */
export interface PodReferences {
  secrets: Set<string>;
  configmaps: Set<string>;
  persistentvolumeclaims: Set<string>;
  serviceaccounts: Set<string>;
}

export function podReferences(pod: Pod): PodReferences {
  const spec = pod.spec ?? {};
  const refs: PodReferences = { secrets: new Set(), configmaps: new Set(), persistentvolumeclaims: new Set(), serviceaccounts: new Set() };
  const add = (set: Set<string>, name: string | undefined | null) => {
    if (name) set.add(name);
  };
  add(refs.serviceaccounts, spec.serviceAccountName || 'default');
  for (const s of spec.imagePullSecrets ?? []) add(refs.secrets, s.name);
  for (const c of containers(spec)) {
    for (const from of c.envFrom ?? []) {
      add(refs.secrets, from.secretRef?.name);
      add(refs.configmaps, from.configMapRef?.name);
    }
    for (const env of c.env ?? []) {
      add(refs.secrets, env.valueFrom?.secretKeyRef?.name);
      add(refs.configmaps, env.valueFrom?.configMapKeyRef?.name);
    }
  }
  for (const v of spec.volumes ?? []) {
    add(refs.secrets, v.secret?.secretName);
    add(refs.configmaps, v.configMap?.name);
    for (const source of v.projected?.sources ?? []) {
      add(refs.secrets, source.secret?.name);
      add(refs.configmaps, source.configMap?.name);
    }
    for (const ref of [v.cephfs?.secretRef, v.cinder?.secretRef, v.flexVolume?.secretRef, v.iscsi?.secretRef, v.rbd?.secretRef, v.scaleIO?.secretRef, v.storageos?.secretRef, v.csi?.nodePublishSecretRef]) add(refs.secrets, ref?.name);
    add(refs.secrets, v.azureFile?.secretName);
    add(refs.persistentvolumeclaims, v.persistentVolumeClaim?.claimName);
    // A generic ephemeral volume's claim is named after the pod and the volume.
    if (v.ephemeral) add(refs.persistentvolumeclaims, `${pod.metadata?.name ?? ''}-${v.name ?? ''}`);
  }
  return refs;
}

/** The Node authorizer over the catalog's pods (and PVCs, for the volumes they are bound to). */
export function nodeAuthorizer(catalog: ApiCatalog): Authorizer {
  const podsOf = async (node: string): Promise<Pod[]> => {
    const store = catalog.resource('', 'v1', 'pods');
    if (!store) return [];
    return ((await store.list(undefined, { fieldSelector: `spec.nodeName=${node}` })).items ?? []) as Pod[];
  };
  const noRelationship = (node: string): Decision => ({ decision: 'noOpinion', reason: `no relationship found between node '${node}' and this object` });

  /** Whether a Pod on `node` in `namespace` references `name` as a `kind`. */
  const referenced = async (node: string, kind: keyof PodReferences, namespace: string, name: string): Promise<boolean> =>
    (await podsOf(node)).some((p) => p.metadata?.namespace === namespace && podReferences(p)[kind].has(name));

  /** Whether a PVC a Pod on `node` uses is bound to the PersistentVolume `name`. */
  const volumeReferenced = async (node: string, name: string): Promise<boolean> => {
    const store = catalog.resource('', 'v1', 'persistentvolumeclaims');
    if (!store) return false;
    for (const pod of await podsOf(node)) {
      for (const claim of podReferences(pod).persistentvolumeclaims) {
        const pvc = (await store.get(pod.metadata?.namespace, claim).catch(() => undefined)) as PersistentVolumeClaim | undefined;
        if (pvc?.spec?.volumeName === name) return true;
      }
    }
    return false;
  };

  const deny = (reason: string): Decision => ({ decision: 'noOpinion', reason });
  /** A relationship with the node decides: allowed, or upstream's "no relationship" reason. */
  const related = async (node: string, a: ResourceAttributes, found: () => Promise<boolean>): Promise<Decision> => {
    if (!a.name) return deny('No Object name found');
    return (await found()) ? ALLOW : noRelationship(node);
  };
  const podBound = (node: string, a: ResourceAttributes) => async (): Promise<boolean> =>
    (await podsOf(node)).some((p) => p.metadata?.namespace === a.namespace && p.metadata?.name === a.name);
  const attached = (node: string, name: string) => async (): Promise<boolean> => {
    const va = await catalog.resource('storage.k8s.io', 'v1', 'volumeattachments')?.get(undefined, name).catch(() => undefined);
    return (va as { spec?: { nodeName?: string } } | undefined)?.spec?.nodeName === node;
  };

  /** get, list or watch of one namespaced object a Pod of the node references (authorizeReadNamespacedObject). */
  const readReferenced = (node: string, a: ResourceAttributes, kind: keyof PodReferences): Promise<Decision> | Decision => {
    if (!['get', 'list', 'watch'].includes(a.verb)) return deny('can only read resources of this type');
    if (a.subresource) return deny('cannot read subresource');
    if (!a.namespace) return deny('can only read namespaced object of this type');
    return related(node, a, () => referenced(node, kind, a.namespace, a.name));
  };
  /** A get of one object related to the node (authorizeGet). */
  const getRelated = (node: string, a: ResourceAttributes, found: () => Promise<boolean>): Promise<Decision> | Decision => {
    if (a.verb !== 'get') return deny('can only get individual resources of this type');
    if (a.subresource) return deny('cannot get subresource');
    return related(node, a, found);
  };
  /** A lease or CSINode: the node's own, by name (any name on create, which NodeRestriction checks). */
  const own = (node: string, a: ResourceAttributes, what: string, leases: boolean): Decision => {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return deny(`can only get, create, update, patch, or delete a ${what}`);
    if (leases && a.namespace !== 'kube-node-lease') return deny('can only access leases in the "kube-node-lease" system namespace');
    if (!leases && a.subresource) return deny('cannot authorize CSINode subresources');
    if (a.verb !== 'create' && a.name !== node) return deny(`can only access ${leases ? 'node lease' : 'CSINode'} with the same name as the requesting node`);
    return ALLOW;
  };

  /** Upstream's subdivided resources (AuthorizeNodeWithSelectors on, as 1.33's default); undefined: the static rules decide. */
  const decide = async (node: string, a: ResourceAttributes): Promise<Decision | undefined> => {
    const core = a.apiGroup === '';
    if (core && a.resource === 'secrets') return readReferenced(node, a, 'secrets');
    if (core && a.resource === 'configmaps') return readReferenced(node, a, 'configmaps');
    if (core && a.resource === 'persistentvolumeclaims') {
      const claim = () => referenced(node, 'persistentvolumeclaims', a.namespace, a.name);
      if (a.subresource !== 'status') return getRelated(node, a, claim);
      if (a.verb !== 'update' && a.verb !== 'patch') return deny('can only get/update/patch this type');
      return related(node, a, claim);
    }
    if (core && a.resource === 'persistentvolumes') return getRelated(node, a, () => volumeReferenced(node, a.name));
    if (a.apiGroup === 'storage.k8s.io' && a.resource === 'volumeattachments') return getRelated(node, a, attached(node, a.name));
    if (core && a.resource === 'serviceaccounts') {
      if (a.verb !== 'create' || !a.name) return deny('can only create tokens for individual service accounts');
      if (a.subresource !== 'token') return deny('can only create token subresource of serviceaccount');
      return related(node, a, () => referenced(node, 'serviceaccounts', a.namespace, a.name));
    }
    if (a.apiGroup === 'coordination.k8s.io' && a.resource === 'leases') return own(node, a, 'node lease', true);
    if (a.apiGroup === 'storage.k8s.io' && a.resource === 'csinodes') return own(node, a, 'CSINode', false);
    if (core && a.resource === 'nodes') {
      // Writes are NodeRestriction's to limit; reads compare the name, so a kubelet may look for its Node before creating it.
      if (!a.subresource && ['create', 'update', 'patch'].includes(a.verb)) return ALLOW;
      if (!a.subresource && ['get', 'list', 'watch'].includes(a.verb)) {
        if (a.name === node) return ALLOW;
        return deny(a.name ? `node '${node}' cannot read '${a.name}', only its own Node object` : `node '${node}' cannot read all nodes, only its own Node object`);
      }
      if (a.subresource === 'status' && (a.verb === 'update' || a.verb === 'patch')) return ALLOW;
      return NO_OPINION;
    }
    if (core && a.resource === 'pods') {
      if (!a.subresource) {
        if (a.verb === 'get') return getRelated(node, a, podBound(node, a));
        if (a.verb === 'list' || a.verb === 'watch') {
          if (selectsNode(a.fieldSelector, node)) return ALLOW;
          if (a.name) return related(node, a, podBound(node, a));
          return deny('can only list/watch pods with spec.nodeName field selector');
        }
        // Mirror pods; NodeRestriction limits them to the node's own.
        if (a.verb === 'create' || a.verb === 'delete') return ALLOW;
      }
      if (a.subresource === 'status' && (a.verb === 'update' || a.verb === 'patch')) return ALLOW;
      if (a.subresource === 'eviction' && a.verb === 'create') return ALLOW;
      return NO_OPINION;
    }
    return undefined;
  };

  return {
    async authorize(attributes: AuthorizationAttributes): Promise<Decision> {
      const node = nodeIdentity(attributes.user);
      if (node === undefined) return NO_OPINION;
      if (node === '') return { decision: 'noOpinion', reason: `unknown node for user ${JSON.stringify(attributes.user.name)}` };
      if (attributes.resourceRequest) {
        const d = await decide(node, attributes);
        if (d) return d;
      }
      return NODE_RULES.some((r) => ruleAllows(r, attributes)) ? ALLOW : NO_OPINION;
    },
    // As upstream: a node's permissions are not enumerable; anyone else has none from here.
    rulesFor(user) {
      const isNode = nodeIdentity(user) !== undefined;
      return { resourceRules: [], nonResourceRules: [], incomplete: isNode, errors: isNode ? ['node authorizer does not support user rule resolution'] : [] };
    },
  };
}
