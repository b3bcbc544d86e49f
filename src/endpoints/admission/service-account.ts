/**
 * ServiceAccount (upstream's plugin of that name), for Pod creates: a Pod without
 * `spec.serviceAccountName` runs as `default`; the account must exist (the default one is
 * waited for a little, as its controller creates it with the namespace); unless the Pod or
 * the account sets `automountServiceAccountToken: false`, every container and init container
 * mounts the projected `kube-api-access-XXXXX` volume (a bound token, the `kube-root-ca.crt`
 * ConfigMap's `ca.crt`, the namespace) read-only at
 * `/var/run/secrets/kubernetes.io/serviceaccount`; the account's imagePullSecrets are copied
 * to a Pod that names none. Mirror pods are left alone.
 */
import { randomInt } from 'node:crypto';
import { ApiError, notFound } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/rest/admission.js';
import type { ResourceStore } from '../../registry/rest/resource-store.js';
import { admissionForbidden } from './admission-errors.js';

export const DEFAULT_SERVICE_ACCOUNT_NAME = 'default';
/** Where the token, CA and namespace appear in every container. */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const VOLUME_PREFIX = 'kube-api-access-';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
/** Upstream's WarnOnlyBoundTokenExpirationSeconds: a token lifetime kubelet recognises as the legacy-compatible one. */
const TOKEN_EXPIRATION_SECONDS = 3607;
/** How often, and how far apart, a missing `default` account is looked for again. */
const DEFAULT_ACCOUNT_ATTEMPTS = 10;
const RETRY_MS = 150;

/** The alphabet of upstream's random name suffixes (no vowels, no look-alikes). */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[randomInt(ALPHANUMS.length)];
  return s;
}

interface VolumeMount {
  name: string;
  readOnly?: boolean;
  mountPath: string;
}
interface Container {
  volumeMounts?: VolumeMount[];
}
interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  volumes?: { name: string }[];
  containers?: Container[];
  initContainers?: Container[];
  imagePullSecrets?: unknown[];
}

/** The projected volume upstream mounts (its TokenVolumeSource, default mode 0644 spelled out). */
export function tokenVolumeSource(): Record<string, unknown> {
  return {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  };
}

function applies(a: AdmissionAttributes): boolean {
  return a.operation === 'CREATE' && a.group === '' && a.resource === 'pods' && a.subresource === undefined && !!a.object && !!a.namespace;
}

function isMirrorPod(pod: KubeObject): boolean {
  return (pod.metadata?.annotations as Record<string, string> | undefined)?.[MIRROR_POD_ANNOTATION] !== undefined;
}

/** Mounts the token volume in every container that has nothing at the mount path yet. */
function mountToken(spec: PodSpec): void {
  const existing = (spec.volumes ?? []).find((v) => v.name.startsWith(VOLUME_PREFIX));
  const volumeName = existing?.name ?? VOLUME_PREFIX + randomSuffix(5);
  let needed = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if ((c.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
    c.volumeMounts = [...(c.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
    needed = true;
  }
  if (!existing && needed) spec.volumes = [...(spec.volumes ?? []), { name: volumeName, projected: tokenVolumeSource() } as { name: string }];
}

/** The ServiceAccount plugin over the serviceaccounts' storage store. */
export function serviceAccountAdmission(serviceAccounts: () => ResourceStore): AdmissionPlugin {
  /** The account, looked for again a few times when it is the default one; upstream's NotFound wording otherwise. */
  const lookup = async (namespace: string, name: string): Promise<KubeObject> => {
    // Attempt 0 reads the watch cache as it is; the others read consistently.
    const attempts = 1 + (name === DEFAULT_SERVICE_ACCOUNT_NAME ? DEFAULT_ACCOUNT_ATTEMPTS : 1);
    for (let i = 0; i < attempts; i++) {
      if (i > 1) await new Promise((r) => setTimeout(r, RETRY_MS));
      try {
        // First from the watch cache as it is, then (it may lag behind a new account) consistently.
        return await serviceAccounts().get(namespace, name, i === 0 ? { resourceVersion: '0' } : undefined);
      } catch (err) {
        if (!(err instanceof ApiError && err.reason === 'NotFound')) throw err;
      }
    }
    throw notFound({ group: '', resource: 'serviceaccount' }, name);
  };
  const account = async (a: AdmissionAttributes, name: string): Promise<KubeObject> => {
    try {
      return await lookup(a.namespace!, name);
    } catch (err) {
      if (err instanceof ApiError) throw admissionForbidden(a, `error looking up service account ${a.namespace}/${name}: ${err.message}`);
      throw err;
    }
  };
  return {
    name: 'ServiceAccount',
    async mutate(a) {
      if (!applies(a) || isMirrorPod(a.object!)) return;
      const pod = structuredClone(a.object!);
      const spec = (pod.spec ??= {}) as PodSpec;
      if (!spec.serviceAccountName) spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT_NAME;
      const sa = await account({ ...a, object: pod }, spec.serviceAccountName);
      const saAutomount = (sa as { automountServiceAccountToken?: boolean }).automountServiceAccountToken;
      if ((spec.automountServiceAccountToken ?? saAutomount ?? true) === true) mountToken(spec);
      const pullSecrets = (sa as { imagePullSecrets?: unknown[] }).imagePullSecrets;
      if (!spec.imagePullSecrets?.length && pullSecrets?.length) spec.imagePullSecrets = structuredClone(pullSecrets);
      return pod;
    },
    async validate(a) {
      if (!applies(a) || isMirrorPod(a.object!)) return;
      const name = (a.object!.spec as PodSpec | undefined)?.serviceAccountName;
      if (!name) throw admissionForbidden(a, `no service account specified for pod ${a.namespace}/${a.object!.metadata?.name ?? ''}`);
      await account(a, name);
    },
  };
}
