/**
 * batch/v1 Job: defaults as upstream, a generated selector and pod labels
 * (controller-uid / job-name, current and legacy spellings) unless `manualSelector`,
 * a restart policy of OnFailure or Never, and an immutable template and selector.
 */
import type { Job, JobStatus } from '../../../gen/kube/batch-v1.js';
import type { PodSpec, PodTemplateSpec } from '../../../gen/kube/core-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, invalidValue, required } from '../../machinery/validation/field-error.js';
import { validateLabelSelector } from '../../machinery/validation/label-selector.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { asStringMap, child, num } from '../core/fields.js';
import { selectorColumn, selectorMatchesTemplate, selectorValue, templateContainerColumns, templateLabels, templateLabelsValue, validateNonNegative } from '../core/workload.js';
import { humanDuration, timestampMillis } from '../../util/duration.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { jobV1ToV2alpha1, jobV2alpha1ToV1 } from './job-conversion.js';
import {
  defaultJobSpec,
  JOB_CONTROLLER_UID_LABEL,
  JOB_NAME_LABEL,
  LEGACY_JOB_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
  validateJobSpecCommon,
} from './job-spec.js';
import { declared } from '../rest/declared.js';

/** Adds the generated pod labels and selector, as upstream's generateSelector. */
function generateSelector(obj: Job): void {
  const s = child(obj, 'spec');
  const meta = child(child(s, 'template'), 'metadata');
  const labels = asStringMap(meta.labels);
  const name = obj.metadata?.name ?? '';
  const uid = obj.metadata?.uid ?? '';
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[key] ??= name;
  for (const key of [LEGACY_JOB_CONTROLLER_UID_LABEL, JOB_CONTROLLER_UID_LABEL]) labels[key] ??= uid;
  meta.labels = labels;
  const selector = child(s, 'selector');
  const matchLabels = asStringMap(selector.matchLabels);
  matchLabels[JOB_CONTROLLER_UID_LABEL] ??= uid;
  selector.matchLabels = matchLabels;
}

function prepareJobForCreate(obj: Job): void {
  const s = child(obj, 'spec');
  defaultJobSpec(s);
  if (s.manualSelector !== true) generateSelector(obj);
  // A job without labels of its own takes its pod template's labels.
  const templateLabelMap = asStringMap(s.template?.metadata?.labels);
  const meta = (obj.metadata ??= {});
  if (Object.keys(meta.labels ?? {}).length === 0 && Object.keys(templateLabelMap).length > 0) meta.labels = { ...templateLabelMap };
  obj.status = {};
}

function validateGeneratedSelector(obj: Job): FieldError[] {
  const s = obj.spec ?? {};
  if (s.manualSelector === true) return [];
  const errs: FieldError[] = [];
  const uid = obj.metadata?.uid ?? '';
  const labels = templateLabels(s.template);
  const name = obj.metadata?.name ?? '';
  const expect: [string, string][] = [
    [LEGACY_JOB_CONTROLLER_UID_LABEL, uid],
    [LEGACY_JOB_NAME_LABEL, name],
    [JOB_CONTROLLER_UID_LABEL, uid],
    [JOB_NAME_LABEL, name],
  ];
  for (const [key, value] of expect) {
    const path = `spec.template.metadata.labels[${key}]`;
    if (labels[key] === undefined) errs.push(required(path, value));
    else if (labels[key] !== value) errs.push(invalidValue(path, labels, `must be '${value}'`));
  }
  const selector = s.selector;
  if (selector && !selectorMatchesTemplate(selector, { metadata: { labels: { [JOB_CONTROLLER_UID_LABEL]: uid } } })) {
    errs.push(invalidValue('spec.selector', selectorValue(selector), '`selector` not auto-generated'));
  }
  return errs;
}

/** Checks of a job on create and update: selector, template, spec fields. */
function validateJobSpec(obj: Job): FieldError[] {
  const s = obj.spec ?? {};
  const errs: FieldError[] = [];
  const selector = s.selector;
  const template = s.template;
  if (!selector) errs.push(required('spec.selector', ''));
  else {
    errs.push(...validateLabelSelector(selector, 'spec.selector'));
    if (!selectorMatchesTemplate(selector, template)) {
      errs.push(invalidValue('spec.template.metadata.labels', templateLabelsValue(template), '`selector` does not match template `labels`'));
    }
  }
  errs.push(...validateJobSpecCommon(s, 'spec'));
  return errs;
}

function validateJob(obj: Job): FieldError[] {
  return [...validateGeneratedSelector(obj), ...validateJobSpec(obj)];
}

/** Pod template fields a suspended job that never started may still change. */
const SCHEDULING_DIRECTIVES = ['nodeSelector', 'affinity', 'tolerations', 'schedulingGates'] as const satisfies readonly (keyof PodSpec)[];

function validateJobUpdate(obj: Job, old: Job): FieldError[] {
  const errs = validateJobSpec(obj);
  const s = obj.spec ?? {};
  const o = old.spec ?? {};
  const elastic = s.completionMode === 'Indexed' && s.completions === s.parallelism && o.completions === o.parallelism;
  if (!elastic && !jsonEqual(s.completions, o.completions)) errs.push(invalidValue('spec.completions', s.completions ?? null, 'field is immutable'));
  if (!jsonEqual(s.selector, o.selector)) errs.push(invalidValue('spec.selector', selectorValue(s.selector), 'field is immutable'));
  if (!jsonEqual(s.template, o.template)) {
    // A suspended job that never started may change scheduling directives; anything else is fixed.
    const started = old.status?.startTime !== undefined;
    const sched = (t: PodTemplateSpec | undefined): PodTemplateSpec => {
      const copy = structuredClone(t ?? {});
      const ps = copy.spec;
      if (ps) for (const f of SCHEDULING_DIRECTIVES) delete ps[f];
      const m = copy.metadata;
      if (m) {
        delete m.labels;
        delete m.annotations;
      }
      return copy;
    };
    if (!(s.suspend === true && !started && jsonEqual(sched(s.template), sched(o.template)))) {
      errs.push(invalidValue('spec.template', s.template, 'field is immutable'));
    }
  }
  if (!jsonEqual(s.completionMode, o.completionMode)) errs.push(invalidValue('spec.completionMode', s.completionMode ?? null, 'field is immutable'));
  return errs;
}

const STATUS_COUNTS = ['active', 'succeeded', 'failed', 'ready', 'terminating'] as const satisfies readonly (keyof JobStatus)[];

function validateJobStatus(obj: Job): FieldError[] {
  const st = obj.status ?? {};
  const errs: FieldError[] = [];
  for (const f of STATUS_COUNTS) errs.push(...validateNonNegative(st[f], `status.${f}`));
  return errs;
}

/** Whether the Job's condition of this type (its first occurrence) is True, as upstream's hasJobCondition. */
function hasJobCondition(obj: Job, type: string): boolean {
  const c = (obj.status?.conditions ?? []).find((x) => x.type === type);
  return c?.status === 'True';
}

/** Upstream's printJob STATUS: finished, terminating, suspended, on its way to an end, or running. */
function jobStatusCell(obj: Job): string {
  if (hasJobCondition(obj, 'Complete')) return 'Complete';
  if (hasJobCondition(obj, 'Failed')) return 'Failed';
  if (obj.metadata?.deletionTimestamp) return 'Terminating';
  if (hasJobCondition(obj, 'Suspended')) return 'Suspended';
  if (hasJobCondition(obj, 'FailureTarget')) return 'FailureTarget';
  if (hasJobCondition(obj, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

/** Upstream's printJob DURATION: start to completion, or start to now while it runs; empty before it starts. */
function jobDurationCell(obj: Job): string {
  const start = timestampMillis(obj.status?.startTime);
  if (start === undefined) return '';
  const end = timestampMillis(obj.status?.completionTime);
  return humanDuration(((end ?? Date.now()) - start) / 1000);
}

/** The Job resource. */
export const jobs: ResourceDefinition<Job> = {
  // batch/v2alpha1 (alpha, off by default) serves batch/v1's schema under its own apiVersion.
  // Decode-time defaults as upstream (the generated selector stays a create-time step).
  ...declared('batch', 'jobs', {
    v1: { defaults: (obj) => defaultJobSpec(child(obj as Job, 'spec')) },
    v2alpha1: { fromStorage: jobV1ToV2alpha1, toStorage: jobV2alpha1ToV1 },
  }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  // batch/v1 orphans a Job's pods unless told otherwise, for compatibility, and says so.
  garbageCollectionPolicy: (version) => (version === 'v1' ? 'OrphanDependents' : 'DeleteDependents'),
  orphanByDefaultWarning:
    'child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning',
  strategy: {
    prepareForCreate: prepareJobForCreate,
    prepareForUpdate: (obj) => defaultJobSpec(child(obj, 'spec')),
    validate: validateJob,
    validateUpdate: validateJobUpdate,
  },
  statusStrategy: {
    validateUpdate: validateJobStatus,
  },
  printerColumns: [
    { name: 'Status', type: 'string', description: 'Status of the job.', cell: jobStatusCell },
    {
      name: 'Completions',
      type: 'string',
      description: 'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.',
      cell(obj) {
        const s = obj.spec ?? {};
        const succeeded = num(obj.status?.succeeded) ?? 0;
        const completions = num(s.completions);
        if (completions !== undefined) return `${succeeded}/${completions}`;
        const parallelism = num(s.parallelism) ?? 0;
        return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
      },
    },
    { name: 'Duration', type: 'string', description: 'Time required to complete the job.', cell: jobDurationCell },
    ...templateContainerColumns<Job>(),
    selectorColumn<Job>('A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', (obj) => obj.spec?.selector),
  ],
};
