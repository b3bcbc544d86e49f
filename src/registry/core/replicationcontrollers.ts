/**
 * core/v1 ReplicationController: the selector and the object's labels default to the pod
 * template's labels, one replica by default, an equality selector that must match the
 * template, pods that always restart, and `/scale` and `/status` as upstream.
 */
import type { ReplicationController, ReplicationControllerStatus } from '../../../gen/kube/core-v1.js';
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { validateLabels } from '../../machinery/validation/label-selector.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { child, num, setDefault } from './fields.js';
import { defaultPodTemplate, validatePodTemplate } from './pod-spec.js';
import { formatLabels, templateContainerColumns, validateNonNegative } from './workload.js';

/** SetDefaults_ReplicationController plus the pod template's defaults. */
function defaultReplicationController(obj: ReplicationController): void {
  const spec = child(obj, 'spec');
  const labels = spec.template?.metadata?.labels;
  if (labels && Object.keys(labels).length > 0) {
    if (Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...labels };
    const meta = (obj.metadata ??= {});
    if (Object.keys(meta.labels ?? {}).length === 0) meta.labels = { ...labels };
  }
  setDefault(spec, 'replicas', 1);
  if (spec.template) defaultPodTemplate(spec.template);
}

function validateReplicationController(obj: ReplicationController): FieldError[] {
  const spec = obj.spec ?? {};
  const errs = [...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
  const selector = spec.selector ?? {};
  if (Object.keys(selector).length === 0) errs.push(required('spec.selector', ''));
  else errs.push(...validateLabels(selector, 'spec.selector'));
  if (spec.replicas === undefined || spec.replicas === null) errs.push(required('spec.replicas', ''));
  else errs.push(...validateNonNegative(spec.replicas, 'spec.replicas'));
  const template = spec.template;
  if (!template) {
    errs.push(required('spec.template', ''));
    return errs;
  }
  const labels = template.metadata?.labels ?? {};
  if (Object.keys(selector).length > 0 && !Object.entries(selector).every(([k, v]) => labels[k] === v)) {
    errs.push(invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplate(template, 'spec.template'));
  const podSpec = template.spec ?? {};
  if (podSpec.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}

const STATUS_COUNTS = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const satisfies readonly (keyof ReplicationControllerStatus)[];

const count = (obj: ReplicationController, field: (typeof STATUS_COUNTS)[number]): number => num(obj.status?.[field]) ?? 0;

/** The ReplicationController resource. */
export const replicationControllers: ResourceDefinition<ReplicationController> = {
  // Defaults at decode (the field manager sees them), and again in the strategy for writers that never decode.
  ...declared('', 'replicationcontrollers', { v1: { defaults: (obj) => defaultReplicationController(obj as ReplicationController) } }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate(obj) {
      defaultReplicationController(obj);
      obj.status = { replicas: 0 };
    },
    prepareForUpdate: defaultReplicationController,
    validate: validateReplicationController,
    validateUpdate: (obj) => validateReplicationController(obj),
  },
  statusStrategy: {
    validateUpdate: (obj) => STATUS_COUNTS.flatMap((f) => validateNonNegative(obj.status?.[f], `status.${f}`)),
  },
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  printerColumns: [
    { name: 'Desired', type: 'integer', description: 'Number of desired pods.', cell: (obj) => num(obj.spec?.replicas) ?? 0 },
    { name: 'Current', type: 'integer', description: 'Number of actual pods.', cell: (obj) => count(obj, 'replicas') },
    { name: 'Ready', type: 'integer', description: 'Number of pods ready.', cell: (obj) => count(obj, 'readyReplicas') },
    ...templateContainerColumns(),
    { name: 'Selector', type: 'string', priority: 1, description: 'Label selector for pods.', cell: (obj) => formatLabels(obj.spec?.selector) },
  ],
};
