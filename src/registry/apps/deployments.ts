/**
 * apps/v1 Deployment: defaults as upstream (one replica, 25%/25% rolling updates, history
 * of 10, 600s progress deadline, pod template defaults), a selector that must match the
 * template's labels and may not change afterwards.
 */
import type { Deployment, DeploymentStatus, DeploymentStrategy } from '../../../gen/kube/apps-v1.js';
import { type FieldError, forbidden, intOrStringValue, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { child, num, setDefault } from '../core/fields.js';
import { defaultPodTemplate } from '../core/pod-spec.js';
import { selectorColumn, templateContainerColumns, validateNonNegative } from '../core/workload.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { declared } from '../rest/declared.js';
import { validateReplicatedSpec, validateSelectorUnchanged, validateStatusCounts } from './replicated.js';

const PERCENT_RE = /^[0-9]+%$/;

/** Decode-time defaults (apps/v1 SetDefaults_Deployment plus pod template defaults). */
function defaultDeployment(obj: Deployment): void {
  const s = child(obj, 'spec');
  setDefault(s, 'replicas', 1);
  const strategy = child(s, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rolling = child(strategy, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', '25%');
    setDefault(rolling, 'maxSurge', '25%');
  }
  setDefault(s, 'revisionHistoryLimit', 10);
  setDefault(s, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(child(s, 'template'));
}

/** An int-or-percent value as a number (percent without the sign), or undefined. */
function intOrPercent(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && PERCENT_RE.test(value)) return Number(value.slice(0, -1));
  return undefined;
}

/** An int-or-percent field: a non-negative integer or a valid percent string (apps validation). */
export function validateIntOrPercent(value: unknown, path: string): FieldError[] {
  if (value === undefined) return [];
  if (typeof value === 'string') {
    if (!PERCENT_RE.test(value)) {
      return [
        invalidValue(
          path,
          intOrStringValue(value),
          "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
        ),
      ];
    }
    return [];
  }
  return validateNonNegative(value, path);
}

function validateStrategy(strategy: DeploymentStrategy, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rolling = strategy.rollingUpdate;
  switch (strategy.type) {
    case 'Recreate':
      if (strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
        errs.push(forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'"));
      }
      break;
    case 'RollingUpdate':
      if (!rolling) {
        errs.push(required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil'));
        break;
      }
      errs.push(...validateIntOrPercent(rolling.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`));
      errs.push(...validateIntOrPercent(rolling.maxSurge, `${path}.rollingUpdate.maxSurge`));
      if (intOrPercent(rolling.maxUnavailable) === 0 && intOrPercent(rolling.maxSurge) === 0) {
        errs.push(invalidValue(`${path}.rollingUpdate.maxUnavailable`, intOrStringValue(rolling.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      }
      if (typeof rolling.maxUnavailable === 'string' && (intOrPercent(rolling.maxUnavailable) ?? 0) > 100) {
        errs.push(invalidValue(`${path}.rollingUpdate.maxUnavailable`, intOrStringValue(rolling.maxUnavailable), 'must not be greater than 100%'));
      }
      break;
    default:
      errs.push(notSupported(path, strategy, ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

function validateDeployment(obj: Deployment): FieldError[] {
  const s = obj.spec ?? {};
  const errs: FieldError[] = [...validateNonNegative(s.replicas, 'spec.replicas')];
  errs.push(...validateReplicatedSpec(s));
  errs.push(...validateStrategy(s.strategy ?? {}, 'spec.strategy'));
  errs.push(...validateNonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonNegative(s.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const deadline = num(s.progressDeadlineSeconds);
  if (deadline !== undefined) {
    errs.push(...validateNonNegative(deadline, 'spec.progressDeadlineSeconds'));
    if (deadline <= (num(s.minReadySeconds) ?? 0)) {
      errs.push(invalidValue('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

function validateDeploymentUpdate(obj: Deployment, old: Deployment): FieldError[] {
  return [...validateDeployment(obj), ...validateSelectorUnchanged(obj.spec, old.spec)];
}

const STATUS_COUNTS = [
  'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'observedGeneration',
] as const satisfies readonly (keyof DeploymentStatus)[];

function validateDeploymentStatus(obj: Deployment): FieldError[] {
  return validateStatusCounts(obj.status, STATUS_COUNTS);
}

const count = (obj: Deployment, field: (typeof STATUS_COUNTS)[number]): number => num(obj.status?.[field]) ?? 0;

/** The Deployment resource. */
export const deployments: ResourceDefinition<Deployment> = {
  // Defaults at decode, as upstream's decoder applies them, so the field manager sees the
  // defaulted object; the strategy applies them again (idempotently) for writers that never decode.
  ...declared('apps', 'deployments', { v1: { defaults: (obj) => defaultDeployment(obj as Deployment) } }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate(obj) {
      defaultDeployment(obj);
      obj.status = {};
    },
    prepareForUpdate: defaultDeployment,
    validate: validateDeployment,
    validateUpdate: validateDeploymentUpdate,
  },
  statusStrategy: {
    validateUpdate: validateDeploymentStatus,
  },
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  printerColumns: [
    {
      name: 'Ready',
      type: 'string',
      description: 'Number of the pod with ready state',
      cell: (obj) => `${count(obj, 'readyReplicas')}/${num(obj.spec?.replicas) ?? 0}`,
    },
    { name: 'Up-to-date', type: 'integer', description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', cell: (obj) => count(obj, 'updatedReplicas') },
    { name: 'Available', type: 'integer', description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', cell: (obj) => count(obj, 'availableReplicas') },
    ...templateContainerColumns<Deployment>(),
    selectorColumn<Deployment>('Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template\'s labels.', (obj) => obj.spec?.selector),
  ],
};
