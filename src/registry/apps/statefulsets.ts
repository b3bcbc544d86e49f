/**
 * apps/v1 StatefulSet: defaults as upstream (one replica, OrderedReady, RollingUpdate from
 * partition 0, history of 10, claims retained, pod template and claim template defaults), a
 * selector that must match the template's labels, and a spec of which only replicas,
 * ordinals, template, updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy
 * and minReadySeconds may change. `/status` and `/scale`.
 */
import type { StatefulSet, StatefulSetSpec } from '../../../gen/kube/apps-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { validateLabelSelector } from '../../machinery/validation/label-selector.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { child, num, setDefault, str } from '../core/fields.js';
import { defaultClaim } from '../core/persistentvolumeclaims.js';
import { defaultPodTemplate, validatePodTemplate } from '../core/pod-spec.js';
import { isEmptySelector, selectorMatchesTemplate, selectorValue, templateContainerColumns, templateLabelsValue, validateNonNegative } from '../core/workload.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { validateStatusCounts } from './replicated.js';

const RETENTION = ['Retain', 'Delete'];

/** Decode-time defaults (apps/v1 SetDefaults_StatefulSet, pod template and claim template defaults). */
function defaultStatefulSet(obj: StatefulSet): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = child(spec, 'updateStrategy');
  if (!str(strategy.type)) {
    strategy.type = 'RollingUpdate';
    setDefault(strategy, 'rollingUpdate', {});
  }
  if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate) setDefault(strategy.rollingUpdate, 'partition', 0);
  const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
  if (!str(retention.whenDeleted)) retention.whenDeleted = 'Retain';
  if (!str(retention.whenScaled)) retention.whenScaled = 'Retain';
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(child(spec, 'template'));
  for (const claim of spec.volumeClaimTemplates ?? []) defaultClaim(claim);
}

function validateStrategy(spec: StatefulSetSpec): FieldError[] {
  const strategy = spec.updateStrategy ?? {};
  switch (strategy.type) {
    case undefined:
    case '':
      return [required('spec.updateStrategy', '')];
    case 'OnDelete':
      return strategy.rollingUpdate
        ? [invalidValue('spec.updateStrategy.rollingUpdate', strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'")]
        : [];
    case 'RollingUpdate':
      return validateNonNegative(strategy.rollingUpdate?.partition, 'spec.updateStrategy.rollingUpdate.partition');
    default:
      return [invalidValue('spec.updateStrategy', strategy, "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

function validateStatefulSet(obj: StatefulSet): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  const policy = str(spec.podManagementPolicy);
  if (!policy) errs.push(required('spec.podManagementPolicy', ''));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') {
    errs.push(invalidValue('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  }
  errs.push(...validateStrategy(spec));
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  if (retention) {
    for (const key of ['whenDeleted', 'whenScaled'] as const) {
      const value = str(retention[key]);
      if (!RETENTION.includes(value)) errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${key}`, value, RETENTION));
    }
  }
  errs.push(...validateNonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (spec.ordinals) errs.push(...validateNonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  const { selector, template } = spec;
  if (!selector) {
    // No selector selects nothing, so it never matches the template either.
    errs.push(required('spec.selector', ''));
    errs.push(invalidValue('spec.template.metadata.labels', templateLabelsValue(template), '`selector` does not match template `labels`'));
  } else {
    errs.push(...validateLabelSelector(selector, 'spec.selector'));
    if (isEmptySelector(selector)) errs.push(invalidValue('spec.selector', selectorValue(selector), 'empty selector is invalid for statefulset'));
    else if (!selectorMatchesTemplate(selector, template)) {
      errs.push(invalidValue('spec.template.metadata.labels', templateLabelsValue(template), '`selector` does not match template `labels`'));
    }
  }
  errs.push(...validatePodTemplate(template, 'spec.template'));
  const podSpec = template?.spec ?? {};
  if (podSpec.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(invalidValue('spec.template.spec.activeDeadlineSeconds', podSpec.activeDeadlineSeconds, 'must not be specified'));
  }
  return errs;
}

/** The spec fields an update may change. */
const MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'] as const;

function validateStatefulSetUpdate(obj: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = validateStatefulSet(obj);
  const fixed = (spec: StatefulSetSpec | undefined): Record<string, unknown> => {
    const rest: Record<string, unknown> = { ...spec };
    for (const k of MUTABLE) delete rest[k];
    if (rest.serviceName === undefined) rest.serviceName = '';
    return rest;
  };
  if (!jsonEqual(fixed(obj.spec), fixed(old.spec))) {
    errs.push(
      forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

const STATUS_COUNTS = ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'] as const;

function validateStatefulSetStatus(obj: StatefulSet): FieldError[] {
  const status = obj.status ?? {};
  const errs = validateStatusCounts(status, STATUS_COUNTS);
  const replicas = num(status.replicas) ?? 0;
  for (const f of ['readyReplicas', 'currentReplicas', 'updatedReplicas'] as const) {
    const value = num(status[f]) ?? 0;
    if (value > replicas) errs.push(invalidValue(`status.${f}`, value, 'cannot be greater than status.replicas'));
  }
  return errs;
}

/** The StatefulSet resource. */
export const statefulSets: ResourceDefinition<StatefulSet> = {
  ...declared('apps', 'statefulsets', { v1: { defaults: (obj) => defaultStatefulSet(obj as StatefulSet) } }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate(obj) {
      defaultStatefulSet(obj);
      obj.status = {};
    },
    prepareForUpdate: defaultStatefulSet,
    validate: validateStatefulSet,
    validateUpdate: validateStatefulSetUpdate,
  },
  statusStrategy: {
    validateUpdate: validateStatefulSetStatus,
  },
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  printerColumns: [
    {
      name: 'Ready',
      type: 'string',
      description: 'Number of the pod with ready state',
      cell: (obj) => `${num(obj.status?.readyReplicas) ?? 0}/${num(obj.spec?.replicas) ?? 0}`,
    },
    ...templateContainerColumns(),
  ],
};
