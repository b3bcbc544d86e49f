/**
 * core/v1 Event, also served as events.k8s.io/v1 Event (the same stored objects, converted:
 * event-conversion.ts). Validation is upstream's, by the version a write came in: every event
 * passes the legacy checks (an old-style event's namespace matches its involved object's; a
 * new-style one, with eventTime, names its reporting controller and instance, action and
 * reason within their limits), and writes through events.k8s.io/v1 are held to the strict
 * rules as well (eventTime required, type Normal or Warning, the deprecated fields unset, a
 * valid series, and on update nearly every field immutable). Events are selectable by
 * involved object, reason, source and type.
 */
import type { Event } from '../../../gen/kube/core-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, invalidValue, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain, isQualifiedName } from '../../machinery/validation/names.js';
import { type ResourceDefinition, WIDE_NAME_COLUMN_SLOT } from '../rest/definition.js';
import { since } from '../../util/duration.js';
import type { RequestVersion } from '../rest/strategy.js';
import { declared, declaredAlias } from '../rest/declared.js';
import { eventFromEventsV1, eventToEventsV1 } from './event-conversion.js';
import { num, str } from './fields.js';

const REPORTING_INSTANCE_LIMIT = 128;
const ACTION_LIMIT = 128;
const REASON_LIMIT = 128;
const NOTE_LIMIT = 1024;

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
/** A Go zero time: unset or null. */
const unsetTime = (t: unknown): boolean => t === undefined || t === null || t === '';

/** Upstream's legacyValidateEvent: what every event, whatever its version, must satisfy. */
function legacyValidate(obj: Event): FieldError[] {
  const errs: FieldError[] = [];
  const involvedNs = str(obj.involvedObject?.namespace);
  const ns = obj.metadata?.namespace ?? '';
  if (unsetTime(obj.eventTime)) {
    // An old-style event: its namespace is its object's (or default / none for cluster-scoped objects).
    if (involvedNs ? involvedNs !== ns : ns !== '' && ns !== 'default') {
      errs.push(invalidValue('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(invalidValue('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    const controller = str(obj.reportingComponent);
    if (!controller) errs.push(required('reportingController'));
    for (const msg of isQualifiedName(controller)) errs.push(invalidValue('reportingController', controller, msg));
    const instance = str(obj.reportingInstance);
    if (!instance) errs.push(required('reportingInstance'));
    if (bytes(instance) > REPORTING_INSTANCE_LIMIT) errs.push(invalidValue('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LIMIT} characters`));
    const action = str(obj.action);
    if (!action) errs.push(required('action'));
    if (bytes(action) > ACTION_LIMIT) errs.push(invalidValue('action', '', `can have at most ${ACTION_LIMIT} characters`));
    const reason = str(obj.reason);
    if (!reason) errs.push(required('reason'));
    if (bytes(reason) > REASON_LIMIT) errs.push(invalidValue('reason', '', `can have at most ${REASON_LIMIT} characters`));
    if (bytes(str(obj.message)) > NOTE_LIMIT) errs.push(invalidValue('message', '', `can have at most ${NOTE_LIMIT} characters`));
  }
  for (const msg of isDns1123Subdomain(ns)) errs.push(invalidValue('namespace', ns, msg));
  return errs;
}

/** core/v1 and events.k8s.io/v1beta1 writes get the legacy checks only; events.k8s.io/v1 and newer the strict ones too. */
function isStrict(request: RequestVersion | undefined): boolean {
  if (!request || request.group === '') return false;
  return !(request.group === 'events.k8s.io' && request.version === 'v1beta1');
}

function validateSeries(obj: Event): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.series) {
    if ((obj.series.count ?? 0) < 2) errs.push(invalidValue('series.count', '', 'should be at least 2'));
    if (unsetTime(obj.series.lastObservedTime)) errs.push(required('series.lastObservedTime'));
  }
  return errs;
}

function validateCreate(obj: Event, request?: RequestVersion): FieldError[] {
  const errs = legacyValidate(obj);
  if (!isStrict(request)) return errs;
  errs.push(...validateSeries(obj));
  if (unsetTime(obj.eventTime)) errs.push(required('eventTime'));
  const type = str(obj.type);
  if (type !== 'Normal' && type !== 'Warning') errs.push(invalidValue('type', '', `has invalid value: ${type}`));
  if (!unsetTime(obj.firstTimestamp)) errs.push(invalidValue('firstTimestamp', '', 'needs to be unset'));
  if (!unsetTime(obj.lastTimestamp)) errs.push(invalidValue('lastTimestamp', '', 'needs to be unset'));
  if ((obj.count ?? 0) !== 0) errs.push(invalidValue('count', '', 'needs to be unset'));
  if (str(obj.source?.component) || str(obj.source?.host)) errs.push(invalidValue('source', '', 'needs to be unset'));
  return errs;
}

/** The fields an events.k8s.io/v1 update may not change, as upstream lists them (reason twice). */
const IMMUTABLE: ReadonlyArray<keyof Event> = [
  'involvedObject',
  'reason',
  'message',
  'source',
  'firstTimestamp',
  'lastTimestamp',
  'count',
  'reason',
  'type',
  'eventTime',
  'action',
  'related',
  'reportingComponent',
  'reportingInstance',
];

/** Upstream names the reporting controller field by its internal name. */
const IMMUTABLE_PATH: Partial<Record<keyof Event, string>> = { reportingComponent: 'reportingController' };

/** An empty Go value and an absent one compare equal. */
function goValue(v: unknown): unknown {
  if (v === undefined || v === null || v === '' || v === 0) return null;
  if (typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every((x) => goValue(x) === null)) return null;
  return v;
}

function validateUpdate(obj: Event, old: Event, request?: RequestVersion): FieldError[] {
  const errs = legacyValidate(obj);
  if (!isStrict(request)) return errs;
  if (!jsonEqual(goValue(obj.series) ?? null, goValue(old.series) ?? null)) errs.push(...validateSeries(obj));
  for (const field of IMMUTABLE) {
    if (!jsonEqual(goValue(obj[field]) ?? null, goValue(old[field]) ?? null)) errs.push(invalidValue(IMMUTABLE_PATH[field] ?? field, obj[field] ?? '', 'field is immutable'));
  }
  return errs;
}

/** Upstream's printEvent times: first seen (firstTimestamp, else eventTime), last seen (series, lastTimestamp, else first seen) and the count. */
function eventTimes(obj: Event): { first: string; last: string; count: number } {
  const first = obj.firstTimestamp ? since(obj.firstTimestamp) : since(obj.eventTime);
  let last = obj.lastTimestamp ? since(obj.lastTimestamp) : first;
  let count = num(obj.count) ?? 0;
  if (obj.series) {
    last = since(obj.series.lastObservedTime);
    count = num(obj.series.count) ?? 0;
  } else if (count === 0) {
    // Events of the events.k8s.io API that happened once carry no count.
    count = 1;
  }
  return { first, last, count };
}

/** `kind/name` of the involved object (just the kind without a name), lower-cased kind. */
function eventTarget(obj: Event): string {
  const involved = obj.involvedObject ?? {};
  const kind = str(involved.kind).toLowerCase();
  return str(involved.name) ? `${kind}/${str(involved.name)}` : kind;
}

/** Upstream's formatEventSource: component (or reportingController), then `, host` (or reportingInstance) when there is one. */
function eventSource(obj: Event): string {
  const component = str(obj.source?.component) || str(obj.reportingComponent);
  const host = str(obj.source?.host) || str(obj.reportingInstance);
  return host ? `${component}, ${host}` : component;
}

/** The core/v1 Event resource (with events.k8s.io/v1 Event). */
export const events: ResourceDefinition<Event> = {
  ...declared('', 'events'),
  aliases: [declaredAlias('events.k8s.io', 'events', { v1: { fromStorage: eventToEventsV1, toStorage: eventFromEventsV1 } })],
  allowCreateOnUpdate: true,
  nameValidator: isDns1123Subdomain,
  strategy: {
    validate: validateCreate,
    validateUpdate,
  },
  selectableFields(obj) {
    const involved = obj.involvedObject ?? {};
    const reporting = str(obj.reportingComponent);
    return {
      'involvedObject.kind': str(involved.kind),
      'involvedObject.namespace': str(involved.namespace),
      'involvedObject.name': str(involved.name),
      'involvedObject.uid': str(involved.uid),
      'involvedObject.apiVersion': str(involved.apiVersion),
      'involvedObject.resourceVersion': str(involved.resourceVersion),
      'involvedObject.fieldPath': str(involved.fieldPath),
      reason: str(obj.reason),
      reportingComponent: reporting,
      source: str(obj.source?.component) || reporting,
      type: str(obj.type),
    };
  },
  printsAge: false,
  printerColumns: [
    { name: 'Last Seen', type: 'string', description: 'The time at which the most recent occurrence of this event was recorded.', cell: (obj) => eventTimes(obj).last },
    { name: 'Type', type: 'string', description: 'Type of this event (Normal, Warning), new types could be added in the future', cell: (obj) => str(obj.type) },
    { name: 'Reason', type: 'string', description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", cell: (obj) => str(obj.reason) },
    { name: 'Object', type: 'string', description: 'The object that this event is about.', cell: eventTarget },
    { name: 'Subobject', type: 'string', priority: 1, description: 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', cell: (obj) => str(obj.involvedObject?.fieldPath) },
    { name: 'Source', type: 'string', priority: 1, description: 'The component reporting this event. Should be a short machine understandable string.', cell: eventSource },
    { name: 'Message', type: 'string', description: 'A human-readable description of the status of this operation.', cell: (obj) => str(obj.message).trim() },
    { name: 'First Seen', type: 'string', priority: 1, description: 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', cell: (obj) => eventTimes(obj).first },
    { name: 'Count', type: 'string', priority: 1, description: 'The number of times this event has occurred.', cell: (obj) => eventTimes(obj).count },
    WIDE_NAME_COLUMN_SLOT,
  ],
};
