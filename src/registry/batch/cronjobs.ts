/**
 * batch/v1 CronJob: defaults as upstream (Allow, not suspended, history 3/1), a schedule
 * that must parse as cron, a name short enough for the jobs it spawns, and a job template
 * whose selector is always generated.
 */
import type { CronJob } from '../../../gen/kube/batch-v1.js';
import { validateCronSchedule, isKnownTimeZone } from '../../machinery/validation/cron.js';
import { type FieldError, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { validateLabels } from '../../machinery/validation/label-selector.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { child, setDefault, str } from '../core/fields.js';
import { printBoolPtr, selectorColumn, templateContainerColumns, validateNonNegative } from '../core/workload.js';
import { since } from '../../util/duration.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { cronJobV1beta1ToV1, cronJobV1ToV1beta1, cronJobV1ToV2alpha1, cronJobV2alpha1ToV1 } from './cronjob-conversion.js';
import { defaultJobTemplateSpec, validateJobSpecCommon } from './job-spec.js';
import { declared, declaredAlias } from '../rest/declared.js';

/** Jobs are named `<cronjob>-<11 characters>`, so the cron job name is at most 52. */
export const CRONJOB_NAME_MAX = 52;

/** Decode-time defaults (SetDefaults_CronJob plus pod template defaults). */
function defaultCronJob(obj: CronJob): void {
  const s = child(obj, 'spec');
  setDefault(s, 'concurrencyPolicy', 'Allow');
  setDefault(s, 'suspend', false);
  setDefault(s, 'successfulJobsHistoryLimit', 3);
  setDefault(s, 'failedJobsHistoryLimit', 1);
  defaultJobTemplateSpec(child(child(s, 'jobTemplate'), 'spec'));
}

function validateSchedule(schedule: string, timeZone: unknown, allowTz: boolean): FieldError[] {
  const errs: FieldError[] = [];
  for (const msg of validateCronSchedule(schedule)) errs.push(invalidValue('spec.schedule', schedule, msg));
  if (schedule.includes('TZ')) {
    if (!allowTz) errs.push(invalidValue('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    else if (timeZone !== undefined && timeZone !== null) {
      errs.push(invalidValue('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    }
  }
  return errs;
}

function validateCronJobSpec(obj: CronJob, old: CronJob | undefined): FieldError[] {
  const s = obj.spec ?? {};
  const errs: FieldError[] = [];
  const schedule = str(s.schedule);
  if (!schedule) errs.push(required('spec.schedule', ''));
  else errs.push(...validateSchedule(schedule, s.timeZone, str(old?.spec?.schedule).includes('TZ')));
  errs.push(...validateNonNegative(s.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  const tz: unknown = s.timeZone;
  if (tz !== undefined && tz !== null) {
    if (tz === '') errs.push(invalidValue('spec.timeZone', tz, 'timeZone must be nil or non-empty string'));
    else if (typeof tz !== 'string' || !isKnownTimeZone(tz)) errs.push(invalidValue('spec.timeZone', tz, `unknown time zone ${String(tz)}`));
  }
  const policy = s.concurrencyPolicy;
  if (policy === '' || policy === undefined) errs.push(required('spec.concurrencyPolicy', ''));
  else if (!['Allow', 'Forbid', 'Replace'].includes(String(policy))) {
    errs.push(notSupported('spec.concurrencyPolicy', policy, ['Allow', 'Forbid', 'Replace']));
  }
  const jobTemplate = s.jobTemplate ?? {};
  const templateMeta = jobTemplate.metadata;
  if (templateMeta) errs.push(...validateLabels(templateMeta.labels ?? {}, 'spec.jobTemplate.metadata.labels'));
  const jobSpec = jobTemplate.spec ?? {};
  errs.push(...validateJobSpecCommon(jobSpec, 'spec.jobTemplate.spec'));
  if (jobSpec.selector !== undefined && jobSpec.selector !== null) {
    errs.push(invalidValue('spec.jobTemplate.spec.selector', jobSpec.selector, '`selector` will be auto-generated'));
  }
  if (jobSpec.manualSelector === true) errs.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...validateNonNegative(s.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...validateNonNegative(s.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errs;
}

function validateCronJob(obj: CronJob): FieldError[] {
  const errs: FieldError[] = [];
  const name = obj.metadata?.name ?? '';
  if (name.length > CRONJOB_NAME_MAX) errs.push(invalidValue('metadata.name', name, `must be no more than ${CRONJOB_NAME_MAX} characters`));
  errs.push(...validateCronJobSpec(obj, undefined));
  return errs;
}


/**
 * The CronJob resource: stored as batch/v1, served as v1, v1beta1 (beta, on by default)
 * and v2alpha1 (alpha, off by default), where the same objects are also served as
 * `scheduledjobs` of kind ScheduledJob, CronJob's older name.
 */
export const cronJobs: ResourceDefinition<CronJob> = {
  ...declared('batch', 'cronjobs', {
    v1: { defaults: (obj) => defaultCronJob(obj as CronJob) },
    v1beta1: { fromStorage: cronJobV1ToV1beta1, toStorage: cronJobV1beta1ToV1 },
    v2alpha1: { fromStorage: (obj) => cronJobV1ToV2alpha1(obj, 'CronJob'), toStorage: cronJobV2alpha1ToV1 },
  }),
  // batch/v1beta1 orphans a CronJob's Jobs by default, for compatibility.
  garbageCollectionPolicy: (version) => (version === 'v1beta1' ? 'OrphanDependents' : 'DeleteDependents'),
  aliases: [declaredAlias('batch', 'scheduledjobs', { v2alpha1: { fromStorage: (obj) => cronJobV1ToV2alpha1(obj, 'ScheduledJob'), toStorage: cronJobV2alpha1ToV1 } })],
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate(obj) {
      defaultCronJob(obj);
      obj.status = {};
    },
    prepareForUpdate: defaultCronJob,
    validate: validateCronJob,
    validateUpdate: (obj, old) => validateCronJobSpec(obj, old),
  },
  statusStrategy: {},
  printerColumns: [
    { name: 'Schedule', type: 'string', description: 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.', cell: (obj) => str(obj.spec?.schedule) },
    {
      name: 'Timezone',
      type: 'string',
      description: 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones',
      cell: (obj) => (typeof obj.spec?.timeZone === 'string' ? obj.spec.timeZone : '<none>'),
    },
    { name: 'Suspend', type: 'boolean', description: 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions. Defaults to false.', cell: (obj) => printBoolPtr(obj.spec?.suspend) },
    { name: 'Active', type: 'integer', description: 'A list of pointers to currently running jobs.', cell: (obj) => (obj.status?.active ?? []).length },
    {
      name: 'Last Schedule',
      type: 'string',
      description: 'Information when was the last time the job was successfully scheduled.',
      cell: (obj) => (obj.status?.lastScheduleTime ? since(obj.status.lastScheduleTime) : '<none>'),
    },
    ...templateContainerColumns<CronJob>((obj) => obj.spec?.jobTemplate?.spec?.template?.spec?.containers ?? []),
    selectorColumn<CronJob>('A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', (obj) => obj.spec?.jobTemplate?.spec?.selector),
  ],
};
