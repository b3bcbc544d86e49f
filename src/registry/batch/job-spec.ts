/**
 * JobSpec defaulting and validation shared by jobs and cron jobs' job templates.
 */
import { type FieldError, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import type { JobSpec } from '../../../gen/kube/batch-v1.js';
import { child, setDefault } from '../core/fields.js';
import { defaultPodTemplate, validatePodTemplate } from '../core/pod-spec.js';
import { validateNonNegative } from '../core/workload.js';

/** Selector and template labels the server generates for a job. */
export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

/** Defaults of a JobSpec (batch/v1 SetDefaults_Job, spec part) including its pod template. */
export function defaultJobSpec(s: JobSpec): void {
  if (s.completions === undefined && s.parallelism === undefined) {
    s.completions = 1;
    s.parallelism = 1;
  }
  setDefault(s, 'parallelism', 1);
  setDefault(s, 'backoffLimit', s.backoffLimitPerIndex !== undefined ? 2147483647 : 6);
  setDefault(s, 'completionMode', 'NonIndexed');
  setDefault(s, 'suspend', false);
  setDefault(s, 'podReplacementPolicy', s.podFailurePolicy !== undefined ? 'Failed' : 'TerminatingOrFailed');
  defaultPodTemplate(child(s, 'template'));
}

/** Pod template defaults only: what a cron job's job template gets. */
export function defaultJobTemplateSpec(s: JobSpec): void {
  defaultPodTemplate(child(s, 'template'));
}

const NON_NEGATIVE = [
  'parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished',
] as const satisfies readonly (keyof JobSpec)[];

/** Validates the parts of a JobSpec common to jobs and job templates at `path`. */
export function validateJobSpecCommon(s: JobSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of NON_NEGATIVE) {
    errs.push(...validateNonNegative(s[f], `${path}.${f}`));
  }
  const mode = s.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
    errs.push(notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  }
  if (mode === 'Indexed' && (s.completions === undefined || s.completions === null)) {
    errs.push(required(`${path}.completions`, 'when completion mode is Indexed'));
  }
  const template = s.template;
  errs.push(...validatePodTemplate(template, `${path}.template`));
  const restart = template?.spec?.restartPolicy;
  if (restart !== 'OnFailure' && restart !== 'Never') {
    errs.push(notSupported(`${path}.template.spec.restartPolicy`, restart ?? '', ['OnFailure', 'Never']));
  }
  const replacement = s.podReplacementPolicy;
  if (replacement !== undefined && replacement !== 'TerminatingOrFailed' && replacement !== 'Failed') {
    errs.push(notSupported(`${path}.podReplacementPolicy`, replacement, ['TerminatingOrFailed', 'Failed']));
  }
  if (replacement === 'TerminatingOrFailed' && s.podFailurePolicy !== undefined && s.podFailurePolicy !== null) {
    errs.push(invalidValue(`${path}.podReplacementPolicy`, replacement, 'must be Failed when podFailurePolicy is specified'));
  }
  return errs;
}
