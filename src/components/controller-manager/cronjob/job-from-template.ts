/**
 * The Job a CronJob starts for a scheduled time (upstream's getJobFromTemplate2): named
 * `<cronjob>-<scheduled time in minutes since the epoch>` so one scheduled time gives at most
 * one Job, with the template's labels and annotations, the annotation
 * `batch.kubernetes.io/cronjob-scheduled-timestamp` (RFC 3339 in the CronJob's time zone,
 * UTC without one) and a controller reference to the CronJob.
 */
import { Job, type CronJob } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import { ownerReferenceTo, type ResourceFacts } from '../../../client/index.js';

export const CRONJOB_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** The Job name for `scheduled`. */
export function jobName(cj: CronJob, scheduled: Date): string {
  return `${cj.metadata?.name ?? ''}-${Math.floor(scheduled.getTime() / 60_000)}`;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `date` as Go's time.RFC3339 in `tz` (seconds precision; `Z` for a zero offset). */
export function rfc3339In(date: Date, tz: string | undefined): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: tz ?? 'UTC',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offsetMin = Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  const local = `${pad(Number(parts.year), 4)}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  if (offsetMin === 0) return `${local}Z`;
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function jobFromTemplate(cj: CronJob, scheduled: Date, cronJobFacts: Pick<ResourceFacts, 'group' | 'version' | 'kind'>): Job {
  const template = cj.spec?.jobTemplate;
  return Job.fromPartial({
    metadata: {
      name: jobName(cj, scheduled),
      namespace: cj.metadata?.namespace,
      labels: { ...(template?.metadata?.labels ?? {}) },
      annotations: { ...(template?.metadata?.annotations ?? {}), [CRONJOB_SCHEDULED_TIMESTAMP]: rfc3339In(scheduled, cj.spec?.timeZone) },
      ownerReferences: [ownerReferenceTo(cronJobFacts, cj)],
    },
    spec: structuredClone(template?.spec ?? {}),
  });
}
