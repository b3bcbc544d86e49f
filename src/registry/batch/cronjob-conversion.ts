/**
 * CronJob conversion between batch/v1 (the hub and storage version), batch/v1beta1
 * and batch/v2alpha1, over Kubernetes JSON. Pure: the input is never mutated; the
 * result is a new object whose apiVersion and kind name the target version.
 *
 * batch/v1beta1 has exactly batch/v1's schema (upstream converts it field by
 * field), so only apiVersion changes.
 *
 * batch/v2alpha1 is upstream's 1.20 schema, which predates `spec.timeZone` and
 * `status.lastSuccessfulTime`; upstream removed the version in 1.21 before it
 * ever needed to carry them, so there is no upstream annotation. Wheelhouse keeps
 * them in its own annotations on the v2alpha1 object:
 *   - `wheelhouse.dev/cronjob-time-zone`: `spec.timeZone`, verbatim (an empty
 *     string too: the field is a pointer, so "" is a value);
 *   - `wheelhouse.dev/cronjob-last-successful-time`: `status.lastSuccessfulTime`,
 *     the RFC 3339 time as the field holds it.
 * Converting back to batch/v1 restores the fields and strips the annotations,
 * and converting to v2alpha1 first drops stale copies, so neither reaches storage.
 * Job templates are batch/v1 JobSpecs in every version.
 */
import { annotationOf, withAnnotations, withoutAnnotations } from '../../machinery/meta/annotations.js';
import { cloneObject, type KubeObject } from '../../machinery/meta/object.js';

/** Holds batch/v1 `spec.timeZone` on a batch/v2alpha1 CronJob. */
export const CRONJOB_TIME_ZONE_ANNOTATION = 'wheelhouse.dev/cronjob-time-zone';
/** Holds batch/v1 `status.lastSuccessfulTime` on a batch/v2alpha1 CronJob. */
export const CRONJOB_LAST_SUCCESSFUL_TIME_ANNOTATION = 'wheelhouse.dev/cronjob-last-successful-time';

const ROUND_TRIP_ANNOTATIONS = [CRONJOB_TIME_ZONE_ANNOTATION, CRONJOB_LAST_SUCCESSFUL_TIME_ANNOTATION] as const;

/** batch/v2alpha1 also serves CronJob under its older kind name. */
export type CronJobV2alpha1Kind = 'CronJob' | 'ScheduledJob';

/** The two batch/v1 fields batch/v2alpha1 lacks. */
interface CronJobV1Extras {
  spec?: { timeZone?: string; [field: string]: unknown };
  status?: { lastSuccessfulTime?: string; [field: string]: unknown };
}

type CronJobObject = KubeObject & CronJobV1Extras;

function retyped<T extends KubeObject>(obj: T, apiVersion: string, kind: string): T {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = obj;
  return { apiVersion, kind, ...rest } as T;
}

/** batch/v1 CronJob -> batch/v1beta1 CronJob (same schema). */
export function cronJobV1ToV1beta1(obj: KubeObject): KubeObject {
  return retyped(cloneObject(obj), 'batch/v1beta1', 'CronJob');
}

/** batch/v1beta1 CronJob -> batch/v1 CronJob (same schema). */
export function cronJobV1beta1ToV1(obj: KubeObject): KubeObject {
  return retyped(cloneObject(obj), 'batch/v1', 'CronJob');
}

/**
 * batch/v1 CronJob -> batch/v2alpha1 CronJob (or ScheduledJob): `spec.timeZone`
 * and `status.lastSuccessfulTime` move into Wheelhouse annotations.
 */
export function cronJobV1ToV2alpha1(obj: KubeObject, kind: CronJobV2alpha1Kind = 'CronJob'): KubeObject {
  const source = obj as CronJobObject;
  const out = withoutAnnotations(source, ROUND_TRIP_ANNOTATIONS);
  const timeZone = source.spec?.timeZone;
  const lastSuccessfulTime = source.status?.lastSuccessfulTime;
  if (out.spec) delete out.spec.timeZone;
  if (out.status) delete out.status.lastSuccessfulTime;
  const annotated = withAnnotations(out, {
    [CRONJOB_TIME_ZONE_ANNOTATION]: typeof timeZone === 'string' ? timeZone : undefined,
    [CRONJOB_LAST_SUCCESSFUL_TIME_ANNOTATION]: typeof lastSuccessfulTime === 'string' ? lastSuccessfulTime : undefined,
  });
  return retyped(annotated, 'batch/v2alpha1', kind);
}

/**
 * batch/v2alpha1 CronJob (or ScheduledJob) -> batch/v1 CronJob: the Wheelhouse
 * annotations become `spec.timeZone` and `status.lastSuccessfulTime` again and
 * are removed.
 */
export function cronJobV2alpha1ToV1(obj: KubeObject): KubeObject {
  const timeZone = annotationOf(obj, CRONJOB_TIME_ZONE_ANNOTATION);
  const lastSuccessfulTime = annotationOf(obj, CRONJOB_LAST_SUCCESSFUL_TIME_ANNOTATION);
  const out = withoutAnnotations(obj as CronJobObject, ROUND_TRIP_ANNOTATIONS);
  if (timeZone !== undefined) out.spec = insertAfter(out.spec ?? {}, 'schedule', 'timeZone', timeZone);
  if (lastSuccessfulTime !== undefined) out.status = { ...(out.status ?? {}), lastSuccessfulTime };
  return retyped(out, 'batch/v1', 'CronJob');
}

/** A copy of `record` with `key: value` placed right after `after` (Go struct order), or first. */
function insertAfter<T extends Record<string, unknown>>(record: T, after: string, key: string, value: unknown): T {
  const out: Record<string, unknown> = {};
  if (!(after in record)) out[key] = value;
  for (const [k, v] of Object.entries(record)) {
    if (k === key) continue;
    out[k] = v;
    if (k === after) out[key] = value;
  }
  return out as T;
}
