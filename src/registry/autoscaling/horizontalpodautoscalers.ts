/**
 * autoscaling HorizontalPodAutoscaler, stored as autoscaling/v2 and served as v2 and v1.
 * v1 holds only a CPU utilization target; what else a v2 object says travels through v1
 * in upstream's annotations (see hpa-conversion.ts), so a v1 round trip loses nothing.
 */
import type { HorizontalPodAutoscaler, MetricSpec } from '../../../gen/kube/autoscaling-v2.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { type FieldError, invalidValue, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { pathSegmentNameProblems } from '../../machinery/validation/path-segment.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { hpaV1ToV2, hpaV2ToV1 } from './hpa-conversion.js';
import { declared } from '../rest/declared.js';

const hpaOf = (obj: KubeObject): HorizontalPodAutoscaler => obj as HorizontalPodAutoscaler;

/** autoscaling/v2 defaults (SetDefaults_HorizontalPodAutoscaler): one replica at least, 80% CPU when no metric is named. */
function defaultHpaV2(obj: KubeObject): void {
  const spec = (hpaOf(obj).spec ??= {});
  spec.minReplicas ??= 1;
  if (!spec.metrics?.length) {
    const cpu: MetricSpec = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } };
    spec.metrics = [cpu];
  }
}

/** autoscaling/v1 defaults: one replica at least (the CPU target comes with conversion). */
function defaultHpaV1(obj: KubeObject): void {
  const spec = ((obj as { spec?: { minReplicas?: number } }).spec ??= {});
  spec.minReplicas ??= 1;
}

function validateHpa(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = hpaOf(obj).spec ?? {};
  const ref = spec.scaleTargetRef ?? {};
  if (!ref.kind) errs.push(required('spec.scaleTargetRef.kind', ''));
  else for (const msg of pathSegmentNameProblems(ref.kind)) errs.push(invalidValue('spec.scaleTargetRef.kind', ref.kind, msg));
  if (!ref.name) errs.push(required('spec.scaleTargetRef.name', ''));
  else for (const msg of pathSegmentNameProblems(ref.name)) errs.push(invalidValue('spec.scaleTargetRef.name', ref.name, msg));
  const min = spec.minReplicas;
  const max = spec.maxReplicas ?? 0;
  if (min !== undefined && min < 1) errs.push(invalidValue('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (max < 1) errs.push(invalidValue('spec.maxReplicas', max, 'must be greater than 0'));
  if (min !== undefined && max < min) errs.push(invalidValue('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  for (const [i, m] of (spec.metrics ?? []).entries()) {
    if (!m.type) errs.push(required(`spec.metrics[${i}].type`, 'must specify a metric source type'));
  }
  return errs;
}

function targetsCell(obj: KubeObject): string {
  const metrics = hpaOf(obj).spec?.metrics ?? [];
  if (!metrics.length) return '<none>';
  const current = hpaOf(obj).status?.currentMetrics ?? [];
  return metrics
    .map((m, i) => {
      const t = m.resource?.target;
      if (m.type !== 'Resource' || !t) return `<unknown>/${m.type ?? ''}`;
      const now = current[i]?.resource?.current;
      if (t.type === 'Utilization') return `${now?.averageUtilization !== undefined ? `${now.averageUtilization}%` : '<unknown>'}/${t.averageUtilization ?? 0}%`;
      return `${now?.averageValue ?? '<unknown>'}/${t.averageValue ?? t.value ?? ''}`;
    })
    .join(', ');
}

/** The HorizontalPodAutoscaler resource. */
export const horizontalPodAutoscalers: ResourceDefinition = {
  ...declared('autoscaling', 'horizontalpodautoscalers', {
    v2: { defaults: defaultHpaV2 },
    v1: { fromStorage: hpaV2ToV1, toStorage: hpaV1ToV2, defaults: defaultHpaV1 },
  }),
  nameValidator: isDns1123Subdomain,
  strategy: {
    prepareForCreate(obj) {
      obj.status = {};
    },
    validate: validateHpa,
    validateUpdate: validateHpa,
  },
  statusStrategy: {},
  printerColumns: [
    {
      name: 'Reference',
      type: 'string',
      description: 'The target the autoscaler scales',
      cell: (obj) => `${hpaOf(obj).spec?.scaleTargetRef?.kind ?? ''}/${hpaOf(obj).spec?.scaleTargetRef?.name ?? ''}`,
    },
    { name: 'Targets', type: 'string', description: 'Current and target metric values', cell: targetsCell },
    { name: 'MinPods', type: 'integer', description: 'Lower replica limit', cell: (obj) => hpaOf(obj).spec?.minReplicas ?? 1 },
    { name: 'MaxPods', type: 'integer', description: 'Upper replica limit', cell: (obj) => hpaOf(obj).spec?.maxReplicas ?? 0 },
    { name: 'Replicas', type: 'integer', description: 'Current number of replicas', cell: (obj) => hpaOf(obj).status?.currentReplicas ?? 0 },
  ],
};
