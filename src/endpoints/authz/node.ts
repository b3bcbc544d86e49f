/**
 * The Node authorizer (`--authorization-mode=Node`), after upstream's
 * plugin/pkg/auth/authorizer/node: a kubelet, user `system:node:NAME` in group `system:nodes`,
 * reads only what the Pods bound to its node (`spec.nodeName`) need — their Secrets,
 * ConfigMaps, PersistentVolumeClaims and the PersistentVolumes those are bound to, tokens of
 * their ServiceAccounts — reads and writes its own Node and the status of its Pods, and has
 * upstream's static node rules for the rest (events, leases, CSR creation, reviews, …).
 *
 * Upstream keeps a graph fed by informers; here the relationships are computed when asked,
 * from the node's Pods as the pod store lists them (`spec.nodeName` field selector, served
 * from the watch cache), so a decision is never behind the store. Other users: no opinion.
 */
import type { PersistentVolumeClaim, Pod, PodSpec } from '../../../gen/kube/core-v1.js';
import type { PolicyRule } from '../../../gen/kube/rbac-v1.js';
import type { UserInfo } from '../api-call.js';
import type { ApiCatalog } from '../catalog.js';
import type { AuthorizationAttributes, Authorizer, Decision, ResourceAttributes } from './attributes.js';
import { ruleAllows } from './rbac-rules.js';

const NODES_GROUP = 'system:nodes';
const NODE_PREFIX = 'system:node:';
const NO_OPINION: Decision = { decision: 'noOpinion', reason: '' };
const ALLOW: Decision = { decision: 'allow', reason: '' };

const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups, resources });

/** Upstream's static node rules (bootstrappolicy.NodeRules) for what the graph does not subdivide. */
const NODE_RULES: readonly PolicyRule[] = [
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
  rule(['get', 'list', 'watch'], [''], ['services']),
  rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
  rule(['list', 'watch'], [''], ['pods']),
  rule(['create'], [''], ['pods']),
  rule(['create'], [''], ['pods/eviction']),
  rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']),
  rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
  rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient', 'certificatesigningrequests/selfnodeclient']),
  rule(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'create', 'update', 'patch', 'delete'], ['storage.k8s.io'], ['csinodes']),
  rule(['get'], ['storage.k8s.io'], ['volumeattachments', 'csidrivers']),
  rule(['get', 'list', 'watch'], ['node.k8s.io'], ['runtimeclasses']),
];

/** The node a user is, by upstream's NodeIdentifier: `system:node:NAME` in `system:nodes` (NAME may be empty). */
export function nodeIdentity(user: UserInfo): string | undefined {
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

  /** A read (get, or a list/watch of one object by name) of a namespaced object a Pod of the node references. */
  const readReferenced = async (node: string, a: ResourceAttributes, kind: keyof PodReferences, verbs: readonly string[]): Promise<Decision> => {
    if (!verbs.includes(a.verb)) return { decision: 'noOpinion', reason: verbs.length === 1 ? `can only ${verbs[0]} individual resources of this type` : 'can only read resources of this type' };
    if (a.subresource) return { decision: 'noOpinion', reason: 'cannot read subresource' };
    if (!a.namespace) return { decision: 'noOpinion', reason: 'can only read namespaced object of this type' };
    if (!a.name) return { decision: 'noOpinion', reason: 'No Object name found' };
    return (await referenced(node, kind, a.namespace, a.name)) ? ALLOW : noRelationship(node);
  };

  const decide = async (node: string, a: ResourceAttributes): Promise<Decision | undefined> => {
    const core = a.apiGroup === '';
    if (core && a.resource === 'secrets') return readReferenced(node, a, 'secrets', ['get', 'list', 'watch']);
    if (core && a.resource === 'configmaps') return readReferenced(node, a, 'configmaps', ['get', 'list', 'watch']);
    if (core && a.resource === 'persistentvolumeclaims') {
      if (a.subresource === 'status') {
        if (a.verb !== 'update' && a.verb !== 'patch') return { decision: 'noOpinion', reason: 'can only update or patch the status of resources of this type' };
        return a.name && (await referenced(node, 'persistentvolumeclaims', a.namespace, a.name)) ? ALLOW : noRelationship(node);
      }
      return readReferenced(node, a, 'persistentvolumeclaims', ['get']);
    }
    if (core && a.resource === 'persistentvolumes') {
      if (a.verb !== 'get' || a.subresource) return { decision: 'noOpinion', reason: 'can only get individual resources of this type' };
      return a.name && (await volumeReferenced(node, a.name)) ? ALLOW : noRelationship(node);
    }
    if (core && a.resource === 'serviceaccounts') {
      if (a.verb !== 'create' || a.subresource !== 'token') return { decision: 'noOpinion', reason: 'can only create tokens for individual service accounts' };
      return a.name && (await referenced(node, 'serviceaccounts', a.namespace, a.name)) ? ALLOW : noRelationship(node);
    }
    if (core && a.resource === 'nodes') {
      // Its own Node: read, update, patch (and its status); creating and listing are static rules.
      const own = a.name === node;
      if (a.subresource === 'status') return own && (a.verb === 'get' || a.verb === 'update' || a.verb === 'patch') ? ALLOW : { decision: 'noOpinion', reason: `node '${node}' cannot modify node '${a.name}'` };
      if (a.subresource) return undefined;
      if (['get', 'update', 'patch', 'delete'].includes(a.verb) || ((a.verb === 'list' || a.verb === 'watch') && a.name)) {
        return own ? ALLOW : { decision: 'noOpinion', reason: `node '${node}' cannot ${a.verb === 'get' || a.verb === 'list' || a.verb === 'watch' ? 'read' : 'modify'} node '${a.name}'` };
      }
      return undefined;
    }
    if (core && a.resource === 'pods') {
      // Its Pods: get, delete, status; a mirror pod's create and list/watch are static rules.
      const bound = async (): Promise<boolean> => (await podsOf(node)).some((p) => p.metadata?.namespace === a.namespace && p.metadata?.name === a.name);
      if (a.subresource === 'status' && (a.verb === 'get' || a.verb === 'update' || a.verb === 'patch')) return a.name && (await bound()) ? ALLOW : noRelationship(node);
      if (!a.subresource && (a.verb === 'get' || a.verb === 'delete')) return a.name && (await bound()) ? ALLOW : noRelationship(node);
      return undefined;
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
