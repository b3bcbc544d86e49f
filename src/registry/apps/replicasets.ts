/**
 * apps/v1 ReplicaSet: one replica by default, a selector that matches the pod template's
 * labels and never changes, status counts that are never negative, and `/scale`.
 */
import type { ReplicaSet, ReplicaSetStatus } from '../../../gen/kube/apps-v1.js';
import type { FieldError } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { child, num, setDefault } from '../core/fields.js';
import { defaultPodTemplate } from '../core/pod-spec.js';
import { selectorColumn, templateContainerColumns, validateNonNegative } from '../core/workload.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { validateReplicatedSpec, validateSelectorUnchanged, validateStatusCounts } from './replicated.js';

/** Decode-time defaults (apps/v1 SetDefaults_ReplicaSet plus pod template defaults). */
function defaultReplicaSet(obj: ReplicaSet): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(child(spec, 'template'));
}

function validateReplicaSet(obj: ReplicaSet): FieldError[] {
  const spec = obj.spec ?? {};
  return [...validateNonNegative(spec.replicas, 'spec.replicas'), ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...validateReplicatedSpec(spec)];
}

const STATUS_COUNTS = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const satisfies readonly (keyof ReplicaSetStatus)[];

const count = (obj: ReplicaSet, field: (typeof STATUS_COUNTS)[number]): number => num(obj.status?.[field]) ?? 0;

/** The ReplicaSet resource. */
export const replicaSets: ResourceDefinition<ReplicaSet> = {
  // Defaults at decode (the field manager sees them), and again in the strategy for writers that never decode.
  ...declared('apps', 'replicasets', { v1: { defaults: (obj) => defaultReplicaSet(obj as ReplicaSet) } }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate(obj) {
      defaultReplicaSet(obj);
      obj.status = {};
    },
    prepareForUpdate: defaultReplicaSet,
    validate: validateReplicaSet,
    validateUpdate: (obj, old) => [...validateReplicaSet(obj), ...validateSelectorUnchanged(obj.spec, old.spec)],
  },
  statusStrategy: {
    validateUpdate: (obj) => validateStatusCounts(obj.status, STATUS_COUNTS),
  },
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  printerColumns: [
    { name: 'Desired', type: 'integer', description: 'Number of desired pods.', cell: (obj) => num(obj.spec?.replicas) ?? 0 },
    { name: 'Current', type: 'integer', description: 'Number of actual pods.', cell: (obj) => count(obj, 'replicas') },
    { name: 'Ready', type: 'integer', description: 'Number of pods ready.', cell: (obj) => count(obj, 'readyReplicas') },
    ...templateContainerColumns<ReplicaSet>(),
    selectorColumn<ReplicaSet>('A label query over pods that should match the replica count. It must match the pod template\'s labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', (obj) => obj.spec?.selector),
  ],
};
