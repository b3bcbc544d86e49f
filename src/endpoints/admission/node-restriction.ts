/**
 * NodeRestriction (upstream's plugin of that name, plugin/pkg/admission/noderestriction): what a
 * kubelet — user `system:node:NAME` in group `system:nodes` — may write beyond what the Node
 * authorizer lets it reach. Mirror pods bound to itself, owned by its own Node and referencing
 * no other API object; deletes, status updates and evictions of pods bound to itself; its own
 * Node, without changing its taints or labels outside the kubelet's set; tokens bound to pods on
 * itself; its own Lease (in `kube-node-lease`) and CSINode; PVC status only. Other users pass.
 *
 * Upstream's plugin runs in the mutating phase (after ServiceAccount); here its checks of
 * creates and updates run there too, and those of deletes (which have no mutating phase in
 * this chain) in the validating phase, on the stored object.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Pod, PodSpec } from '../../../gen/kube/core-v1.js';
import type { OwnerReference } from '../../../gen/kube/meta-v1.js';
import { forbidden, type ApiError } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/rest/admission.js';
import type { ResourceStore } from '../../registry/rest/resource-store.js';
import { nodeIdentity } from '../authz/node.js';
import { forbiddenNodeLabels, modifiedLabels } from './node-labels.js';

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/**
 * Upstream's admission.NewForbidden as this plugin meets it: the resource without its
 * subresource (`pods "p2"` for a status update), named as the request names it, else by the
 * object's name or generateName.
 */
function admissionForbidden(a: AdmissionAttributes, why: string): ApiError {
  const meta = a.object?.metadata;
  return forbidden({ group: a.group, resource: a.resource }, a.name || meta?.name || meta?.generateName || 'Unknown', why);
}

/** Every container of a pod: init, regular and ephemeral ones (upstream's AllContainers). */
function allContainers(spec: PodSpec): NonNullable<PodSpec['containers']> {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...((spec.ephemeralContainers ?? []) as NonNullable<PodSpec['containers']>)];
}

/** Whether a pod names any Secret (upstream's VisitPodSecretNames: pull secrets, env, volumes of every kind that take one). */
function referencesSecrets(spec: PodSpec): boolean {
  if ((spec.imagePullSecrets ?? []).some((s) => s.name)) return true;
  for (const c of allContainers(spec)) {
    if ((c.envFrom ?? []).some((f) => f.secretRef?.name)) return true;
    if ((c.env ?? []).some((e) => e.valueFrom?.secretKeyRef?.name)) return true;
  }
  return (spec.volumes ?? []).some(
    (v) =>
      !!v.secret?.secretName ||
      !!v.azureFile?.secretName ||
      !!v.cephfs?.secretRef?.name ||
      !!v.cinder?.secretRef?.name ||
      !!v.flexVolume?.secretRef?.name ||
      !!v.rbd?.secretRef?.name ||
      !!v.scaleIO?.secretRef?.name ||
      !!v.iscsi?.secretRef?.name ||
      !!v.storageos?.secretRef?.name ||
      !!v.csi?.nodePublishSecretRef?.name ||
      (v.projected?.sources ?? []).some((s) => !!s.secret?.name),
  );
}

/** Whether a pod names any ConfigMap (upstream's VisitPodConfigmapNames). */
function referencesConfigMaps(spec: PodSpec): boolean {
  for (const c of allContainers(spec)) {
    if ((c.envFrom ?? []).some((f) => f.configMapRef?.name)) return true;
    if ((c.env ?? []).some((e) => e.valueFrom?.configMapKeyRef?.name)) return true;
  }
  return (spec.volumes ?? []).some((v) => !!v.configMap?.name || (v.projected?.sources ?? []).some((s) => !!s.configMap?.name));
}

/** NodeRestriction over the pods' and nodes' storage stores. */
export function nodeRestriction(pods: () => ResourceStore, nodes: () => ResourceStore): AdmissionPlugin {
  /** A pod as the store has it; its NotFound as it is (upstream returns the lister's error). */
  const existingPod = (a: AdmissionAttributes, name: string): Promise<Pod> => pods().get(a.namespace, name) as Promise<Pod>;

  const admitPodCreate = async (node: string, a: AdmissionAttributes): Promise<void> => {
    const pod = a.object as Pod;
    if (!Object.hasOwn(pod.metadata?.annotations ?? {}, MIRROR_POD_ANNOTATION)) {
      throw admissionForbidden(a, `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${node}" can only create mirror pods`);
    }
    const spec = pod.spec ?? {};
    if ((spec.nodeName ?? '') !== node) throw admissionForbidden(a, `node "${node}" can only create pods with spec.nodeName set to itself`);
    const owners = (pod.metadata?.ownerReferences ?? []) as OwnerReference[];
    if (owners.length > 1) throw admissionForbidden(a, `node "${node}" can only create pods with a single owner reference set to itself`);
    const owner = owners[0];
    if (!owner || owner.apiVersion !== 'v1' || owner.kind !== 'Node' || owner.name !== node) {
      throw admissionForbidden(a, `node "${node}" can only create pods with an owner reference set to itself`);
    }
    if (owner.controller !== true) throw admissionForbidden(a, `node "${node}" can only create pods with a controller owner reference set to itself`);
    if (owner.blockOwnerDeletion === true) throw admissionForbidden(a, `node "${node}" must not set blockOwnerDeletion on an owner reference`);
    const own = await nodes().get(undefined, node);
    const uid = own.metadata?.uid ?? '';
    // Upstream's wording names the owner's UID as the expected one.
    if ((owner.uid ?? '') !== uid) throw admissionForbidden(a, `node ${node} UID mismatch: expected ${owner.uid ?? ''} got ${uid}`);

    if (spec.serviceAccountName) throw admissionForbidden(a, `node "${node}" can not create pods that reference a service account`);
    if (referencesSecrets(spec)) throw admissionForbidden(a, `node "${node}" can not create pods that reference secrets`);
    if (referencesConfigMaps(spec)) throw admissionForbidden(a, `node "${node}" can not create pods that reference configmaps`);
    for (const v of spec.volumes ?? []) {
      const sources = (v.projected?.sources ?? []) as { clusterTrustBundle?: unknown }[];
      if (sources.some((s) => s.clusterTrustBundle)) throw admissionForbidden(a, `node "${node}" can not create pods that reference clustertrustbundles`);
    }
    if ((spec.volumes ?? []).some((v) => v.persistentVolumeClaim)) {
      throw admissionForbidden(a, `node "${node}" can not create pods that reference persistentvolumeclaims`);
    }
  };

  const admitPodStatus = (node: string, a: AdmissionAttributes): void => {
    if (a.operation !== 'UPDATE') throw admissionForbidden(a, `unexpected operation "${a.operation}"`);
    const oldPod = a.oldObject as Pod;
    const newPod = a.object as Pod;
    if ((oldPod.spec?.nodeName ?? '') !== node) throw admissionForbidden(a, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
    if (!isDeepStrictEqual(oldPod.metadata?.labels ?? {}, newPod.metadata?.labels ?? {})) {
      throw admissionForbidden(a, `node "${node}" cannot update labels through pod status`);
    }
    const claims = (p: Pod) => (p.status?.resourceClaimStatuses ?? []).map((s) => [s.name, s.resourceClaimName ?? null]);
    if (!isDeepStrictEqual(claims(oldPod), claims(newPod))) throw admissionForbidden(a, `node "${node}" cannot update resource claim statues`);
  };

  const admitPodEviction = async (node: string, a: AdmissionAttributes): Promise<void> => {
    if (a.operation !== 'CREATE') throw admissionForbidden(a, `unexpected operation ${a.operation}`);
    const podName = a.name || a.object?.metadata?.name || '';
    if (!podName) throw admissionForbidden(a, 'could not determine pod from request data');
    const pod = await existingPod(a, podName);
    if ((pod.spec?.nodeName ?? '') !== node) throw admissionForbidden(a, `node ${node} can only evict pods with spec.nodeName set to itself`);
  };

  const admitPod = async (node: string, a: AdmissionAttributes): Promise<void> => {
    switch (a.subresource) {
      case undefined:
        if (a.operation === 'CREATE') return admitPodCreate(node, a);
        throw admissionForbidden(a, `unexpected operation "${a.operation}", node "${node}" can only create and delete mirror pods`);
      case 'status':
        return admitPodStatus(node, a);
      case 'eviction':
        return admitPodEviction(node, a);
      default:
        throw admissionForbidden(a, `unexpected pod subresource "${a.subresource}", only 'status' and 'eviction' are allowed`);
    }
  };

  const admitNode = (node: string, a: AdmissionAttributes): void => {
    if (a.name !== node) throw admissionForbidden(a, `node "${node}" is not allowed to modify node "${a.name}"`);
    const spec = (o: KubeObject | undefined) => (o?.spec ?? {}) as { configSource?: unknown; taints?: unknown[] };
    const labels = (o: KubeObject | undefined) => o?.metadata?.labels ?? {};
    if (a.operation === 'CREATE') {
      if (spec(a.object).configSource != null) throw admissionForbidden(a, `node "${node}" is not allowed to create pods with a non-nil configSource`);
      const forbidden = forbiddenNodeLabels(modifiedLabels(labels(a.object), {}));
      if (forbidden.length) throw admissionForbidden(a, `node "${node}" is not allowed to set the following labels: ${forbidden.join(', ')}`);
    }
    if (a.operation === 'UPDATE') {
      const configSource = spec(a.object).configSource;
      if (configSource != null && !isDeepStrictEqual(configSource, spec(a.oldObject).configSource)) {
        throw admissionForbidden(a, `node "${node}" is not allowed to update configSource to a new non-nil configSource`);
      }
      // Upstream's semantic equality: an empty list is the same as none.
      const taints = (o: KubeObject | undefined) => (spec(o).taints?.length ? spec(o).taints : undefined);
      if (!isDeepStrictEqual(taints(a.object), taints(a.oldObject))) throw admissionForbidden(a, `node "${node}" is not allowed to modify taints`);
      const forbidden = forbiddenNodeLabels(modifiedLabels(labels(a.object), labels(a.oldObject)));
      // Upstream's message names no node here.
      if (forbidden.length) throw admissionForbidden(a, `is not allowed to modify labels: ${forbidden.join(', ')}`);
    }
  };

  const admitTokenRequest = async (node: string, a: AdmissionAttributes): Promise<void> => {
    if (a.operation !== 'CREATE' || a.subresource !== 'token') return;
    const ref = (a.object?.spec as { boundObjectRef?: { apiVersion?: string; kind?: string; name?: string; uid?: string } } | undefined)?.boundObjectRef;
    if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name) throw admissionForbidden(a, 'node requested token not bound to a pod');
    if (!ref.uid) throw admissionForbidden(a, 'node requested token with a pod binding without a uid');
    const pod = await existingPod(a, ref.name);
    if (ref.uid !== pod.metadata?.uid) {
      throw admissionForbidden(a, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    if ((pod.spec?.nodeName ?? '') !== node) throw admissionForbidden(a, 'node requested token bound to a pod scheduled on a different node');
  };

  /** Leases and CSINodes: only the one named as the node (a create by the object's name). */
  const admitOwnNamed = (node: string, a: AdmissionAttributes, what: string): void => {
    const name = a.operation === 'CREATE' ? (a.object?.metadata?.name ?? '') : a.name;
    if (name !== node) throw admissionForbidden(a, `can only access ${what} with the same name as the requesting node`);
  };

  const admit = async (a: AdmissionAttributes): Promise<void> => {
    const node = nodeIdentity(a.user);
    if (node === undefined) return;
    if (node === '') throw admissionForbidden(a, `could not determine node from user "${a.user.name}"`);
    const gr = `${a.resource}.${a.group}`;
    switch (gr) {
      case 'pods.':
        return admitPod(node, a);
      case 'nodes.':
        return admitNode(node, a);
      case 'persistentvolumeclaims.':
        if (a.subresource !== 'status') throw admissionForbidden(a, 'may only update PVC status');
        return admitPVCStatus(node, a);
      case 'serviceaccounts.':
        return admitTokenRequest(node, a);
      case 'leases.coordination.k8s.io':
        if (a.namespace !== NODE_LEASE_NAMESPACE) throw admissionForbidden(a, `can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
        return admitOwnNamed(node, a, 'node lease');
      case 'csinodes.storage.k8s.io':
        return admitOwnNamed(node, a, 'CSINode');
      default:
        return;
    }
  };

  return {
    name: 'NodeRestriction',
    async mutate(a) {
      if (a.operation === 'CREATE' || a.operation === 'UPDATE') await admit(a);
    },
    async validate(a) {
      if (a.operation !== 'DELETE') return;
      const node = nodeIdentity(a.user);
      if (node === undefined) return;
      // Deletes: a pod only when bound to the node, the rest as for writes.
      if (a.group === '' && a.resource === 'pods' && a.subresource === undefined && node !== '') {
        const bound = (a.oldObject as Pod | undefined)?.spec?.nodeName ?? '';
        if (bound !== node) throw admissionForbidden(a, `node "${node}" can only delete pods with spec.nodeName set to itself`);
        return;
      }
      await admit(a);
    },
  };
}

/** PVC status: nothing but `status.capacity`, `status.conditions` (and the expansion-recovery fields) may change. */
function admitPVCStatus(node: string, a: AdmissionAttributes): void {
  if (a.operation !== 'UPDATE') throw admissionForbidden(a, `unexpected operation "${a.operation}"`);
  const strip = (o: KubeObject | undefined): unknown => {
    const copy = structuredClone(o ?? {}) as KubeObject & { status?: Record<string, unknown> };
    if (copy.metadata) {
      delete copy.metadata.resourceVersion;
      delete copy.metadata.managedFields;
    }
    if (copy.status) for (const f of ['capacity', 'conditions', 'allocatedResourceStatuses', 'allocatedResources']) delete copy.status[f];
    return copy;
  };
  if (!isDeepStrictEqual(strip(a.object), strip(a.oldObject))) {
    throw admissionForbidden(a, `node "${node}" is not allowed to update fields other than status.capacity and status.conditions`);
  }
}
