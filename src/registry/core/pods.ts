/**
 * core/v1 Pod: PodSpec defaults plus what admission adds on create, a Pending status with
 * its QoS class, and upstream's rule that only a few spec fields change after creation.
 */
import type { Pod, PodSpec, Toleration } from '../../../gen/kube/core-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, forbidden } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { podBinding, podEviction } from './pod-actions.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { child, str } from './fields.js';
import { defaultPodOnly, defaultPodSpec, podQosClass, validatePodSpec } from './pod-spec.js';
import { declared } from '../rest/declared.js';
import { podColumns } from './pod-printer.js';
import { podProxy } from './proxy-locations.js';

/** The fields a pod update may change, as upstream lists them in its Forbidden message. */
export const POD_UPDATE_FORBIDDEN_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** Every toleration of `old` is still present in `next`. */
function onlyAddsTolerations(next: Toleration[] | undefined, old: Toleration[] | undefined): boolean {
  const n = next ?? [];
  return (old ?? []).every((t) => n.some((u) => jsonEqual(t, u)));
}

/** A copy of the new spec with every field a pod update may change taken from the old spec. */
function maskMutable(next: PodSpec, old: PodSpec): PodSpec {
  const masked = structuredClone(next);
  for (const list of ['containers', 'initContainers'] as const) {
    const n = masked[list] ?? [];
    const o = old[list] ?? [];
    if (n.length === o.length) n.forEach((c, i) => (c.image = o[i]?.image));
  }
  const ads = masked.activeDeadlineSeconds;
  const oldAds = old.activeDeadlineSeconds;
  if (typeof ads === 'number' && (typeof oldAds !== 'number' || ads <= oldAds)) masked.activeDeadlineSeconds = oldAds;
  if (onlyAddsTolerations(masked.tolerations, old.tolerations)) masked.tolerations = old.tolerations;
  const oldGrace = old.terminationGracePeriodSeconds;
  if (typeof oldGrace === 'number' && oldGrace < 0 && masked.terminationGracePeriodSeconds === 1) masked.terminationGracePeriodSeconds = oldGrace;
  for (const [k, v] of Object.entries(masked)) if (v === undefined) Reflect.deleteProperty(masked, k);
  return masked;
}

/** A short field-by-field diff of two specs, appended to the Forbidden message as upstream does. */
function specDiff(next: PodSpec, old: PodSpec): string {
  const lines = ['  core.PodSpec{'];
  const n = new Map<string, unknown>(Object.entries(next));
  const o = new Map<string, unknown>(Object.entries(old));
  const keys = [...new Set([...o.keys(), ...n.keys()])];
  for (const k of keys) {
    if (jsonEqual(n.get(k), o.get(k))) continue;
    if (o.get(k) !== undefined) lines.push(`- \t${k}: ${JSON.stringify(o.get(k))},`);
    if (n.get(k) !== undefined) lines.push(`+ \t${k}: ${JSON.stringify(n.get(k))},`);
  }
  lines.push('  }');
  return lines.join('\n');
}

/** Update validation; reads `obj.spec` without creating it (validation never mutates). */
function validatePodUpdate(obj: Pod, old: Pod): FieldError[] {
  const next = obj.spec ?? {};
  const prev = old.spec ?? {};
  const errs = validatePodSpec(next, 'spec');
  const ads = next.activeDeadlineSeconds;
  if (typeof prev.activeDeadlineSeconds === 'number' && ads === undefined) {
    errs.push({ type: 'Invalid', field: 'spec.activeDeadlineSeconds', value: null, detail: 'must not update from a positive integer to nil value' });
  }
  const masked = maskMutable(next, prev);
  if (!jsonEqual(masked, prev)) errs.push(forbidden('spec', `${POD_UPDATE_FORBIDDEN_MESSAGE}\n${specDiff(masked, prev)}`));
  return errs;
}

/**
 * Upstream's CheckGracefulDelete for pods: the requested period, else the pod's
 * terminationGracePeriodSeconds; a pod no node runs (unscheduled, or finished) goes at once.
 */
function podGracePeriod(obj: Pod, requested: number | undefined): number {
  let period = requested ?? obj.spec?.terminationGracePeriodSeconds ?? 0;
  if (!obj.spec?.nodeName) period = 0;
  const phase = obj.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') period = 0;
  return period < 0 ? 1 : period;
}

/** The Pod resource. */
export const pods: ResourceDefinition<Pod> = {
  // Decode-time defaults, as upstream's decoder applies them, so a create's managedFields hold
  // the defaulted fields; admission-time additions stay in prepareForCreate (after the field manager).
  ...declared('', 'pods', {
    v1: {
      defaults(obj) {
        const s = child(obj as Pod, 'spec');
        defaultPodSpec(s);
        defaultPodOnly(s, false);
      },
    },
  }),
  nameValidator: isDns1123Subdomain,
  returnDeletedObject: true,
  gracePeriod: podGracePeriod,
  proxy: podProxy,
  actions: [podBinding, podEviction],
  strategy: {
    prepareForCreate(obj) {
      const s = child(obj, 'spec');
      defaultPodSpec(s);
      defaultPodOnly(s, true);
      obj.status = { phase: 'Pending', qosClass: podQosClass(s) };
    },
    prepareForUpdate(obj) {
      const s = child(obj, 'spec');
      defaultPodSpec(s);
      defaultPodOnly(s, false);
    },
    validate: (obj) => validatePodSpec(obj.spec ?? {}, 'spec'),
    validateUpdate: validatePodUpdate,
  },
  statusStrategy: {
    prepareForUpdate(obj, old) {
      // The QoS class is decided at creation and never changes.
      const status = obj.status;
      const qos = old.status?.qosClass;
      if (status && qos !== undefined) status.qosClass = qos;
    },
    validateUpdate(obj) {
      const errs: FieldError[] = [];
      const phase = obj.status?.phase;
      const phases = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
      if (phase !== undefined && phase !== '' && !phases.includes(String(phase))) {
        errs.push({ type: 'NotSupported', field: 'status.phase', value: phase, detail: `supported values: ${phases.map((p) => `"${p}"`).join(', ')}` });
      }
      return errs;
    },
  },
  indexedFields: ['spec.nodeName'],
  selectableFields(obj) {
    const s = obj.spec ?? {};
    const st = obj.status ?? {};
    const podIPs = st.podIPs ?? [];
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
  printerColumns: podColumns,
};
