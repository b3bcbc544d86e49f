/**
 * core/v1 Pod: PodSpec defaults plus what admission adds on create, a Pending status with
 * its QoS class, and upstream's rule that only a few spec fields change after creation.
 */
import { jsonEqual, type KubeObject } from '../../machinery/meta/object.js';
import { type FieldError, forbidden } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { asObject, asObjects, child, type JsonObject, str } from './fields.js';
import { defaultPodOnly, defaultPodSpec, podQosClass, validatePodSpec } from './pod-spec.js';
import { declared } from '../rest/declared.js';

/** The fields a pod update may change, as upstream lists them in its Forbidden message. */
export const POD_UPDATE_FORBIDDEN_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function spec(obj: KubeObject): JsonObject {
  return child(obj as JsonObject, 'spec');
}

/** Every toleration of `old` is still present in `next`. */
function onlyAddsTolerations(next: unknown, old: unknown): boolean {
  const n = asObjects(next);
  return asObjects(old).every((t) => n.some((u) => jsonEqual(t, u)));
}

/** A copy of the new spec with every field a pod update may change taken from the old spec. */
function maskMutable(next: JsonObject, old: JsonObject): JsonObject {
  const masked = structuredClone(next);
  for (const list of ['containers', 'initContainers'] as const) {
    const n = asObjects(masked[list]);
    const o = asObjects(old[list]);
    if (n.length === o.length) n.forEach((c, i) => (c.image = o[i]?.image));
  }
  const ads = masked.activeDeadlineSeconds;
  const oldAds = old.activeDeadlineSeconds;
  if (typeof ads === 'number' && (typeof oldAds !== 'number' || ads <= oldAds)) masked.activeDeadlineSeconds = oldAds;
  if (onlyAddsTolerations(masked.tolerations, old.tolerations)) masked.tolerations = old.tolerations;
  const oldGrace = old.terminationGracePeriodSeconds;
  if (typeof oldGrace === 'number' && oldGrace < 0 && masked.terminationGracePeriodSeconds === 1) masked.terminationGracePeriodSeconds = oldGrace;
  for (const k of Object.keys(masked)) if (masked[k] === undefined) delete masked[k];
  return masked;
}

/** A short field-by-field diff of two specs, appended to the Forbidden message as upstream does. */
function specDiff(next: JsonObject, old: JsonObject): string {
  const lines = ['  core.PodSpec{'];
  const keys = [...new Set([...Object.keys(old), ...Object.keys(next)])];
  for (const k of keys) {
    if (jsonEqual(next[k], old[k])) continue;
    if (old[k] !== undefined) lines.push(`- \t${k}: ${JSON.stringify(old[k])},`);
    if (next[k] !== undefined) lines.push(`+ \t${k}: ${JSON.stringify(next[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}

function validatePodUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const next = spec(obj);
  const prev = asObject(old.spec) ?? {};
  const errs = validatePodSpec(next, 'spec');
  const ads = next.activeDeadlineSeconds;
  if (typeof prev.activeDeadlineSeconds === 'number' && ads === undefined) {
    errs.push({ type: 'Invalid', field: 'spec.activeDeadlineSeconds', value: null, detail: 'must not update from a positive integer to nil value' });
  }
  const masked = maskMutable(next, prev);
  if (!jsonEqual(masked, prev)) errs.push(forbidden('spec', `${POD_UPDATE_FORBIDDEN_MESSAGE}\n${specDiff(masked, prev)}`));
  return errs;
}

/** The Pod resource. */
export const pods: ResourceDefinition = {
  ...declared('', 'pods'),
  nameValidator: isDns1123Subdomain,
  returnDeletedObject: true,
  strategy: {
    prepareForCreate(obj) {
      const s = spec(obj);
      defaultPodSpec(s);
      defaultPodOnly(s, true);
      obj.status = { phase: 'Pending', qosClass: podQosClass(s) };
    },
    prepareForUpdate(obj) {
      const s = spec(obj);
      defaultPodSpec(s);
      defaultPodOnly(s, false);
    },
    validate: (obj) => validatePodSpec(spec(obj), 'spec'),
    validateUpdate: validatePodUpdate,
  },
  statusStrategy: {
    prepareForUpdate(obj, old) {
      // The QoS class is decided at creation and never changes.
      const status = asObject(obj.status);
      const qos = asObject(old.status)?.qosClass;
      if (status && qos !== undefined) status.qosClass = qos;
    },
    validateUpdate(obj) {
      const errs: FieldError[] = [];
      const phase = asObject(obj.status)?.phase;
      const phases = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
      if (phase !== undefined && phase !== '' && !phases.includes(String(phase))) {
        errs.push({ type: 'NotSupported', field: 'status.phase', value: phase, detail: `supported values: ${phases.map((p) => `"${p}"`).join(', ')}` });
      }
      return errs;
    },
  },
  selectableFields(obj) {
    const s = asObject(obj.spec) ?? {};
    const st = asObject(obj.status) ?? {};
    const podIPs = asObjects(st.podIPs);
    return {
      'spec.nodeName': str(s.nodeName),
      'spec.restartPolicy': str(s.restartPolicy),
      'spec.schedulerName': str(s.schedulerName),
      'spec.serviceAccountName': str(s.serviceAccountName),
      'spec.hostNetwork': String(s.hostNetwork === true),
      'status.phase': str(st.phase),
      'status.podIP': str(st.podIP) || str(podIPs[0]?.ip),
      'status.nominatedNodeName': str(st.nominatedNodeName),
    };
  },
  printerColumns: [
    {
      name: 'Ready',
      type: 'string',
      description: 'The aggregate readiness state of this pod for accepting traffic.',
      cell(obj) {
        const containers = asObjects(asObject(obj.spec)?.containers);
        const statuses = asObjects(asObject(obj.status)?.containerStatuses);
        return `${statuses.filter((s) => s.ready === true).length}/${containers.length}`;
      },
    },
    {
      name: 'Status',
      type: 'string',
      description: 'The aggregate status of the containers in this pod.',
      cell(obj) {
        if (obj.metadata?.deletionTimestamp) return 'Terminating';
        const st = asObject(obj.status) ?? {};
        return str(st.reason) || str(st.phase);
      },
    },
    {
      name: 'Restarts',
      type: 'string',
      description: 'The number of times the containers in this pod have been restarted.',
      cell(obj) {
        const statuses = asObjects(asObject(obj.status)?.containerStatuses);
        return String(statuses.reduce((n, s) => n + (typeof s.restartCount === 'number' ? s.restartCount : 0), 0));
      },
    },
    { name: 'IP', type: 'string', priority: 1, description: 'The IP address of the pod.', cell: (obj) => str(asObject(obj.status)?.podIP) || '<none>' },
    { name: 'Node', type: 'string', priority: 1, description: 'The node the pod is assigned to.', cell: (obj) => str(asObject(obj.spec)?.nodeName) || '<none>' },
  ],
};
