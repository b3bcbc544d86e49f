/**
 * core/v1 Event: the legacy event API. The involved object's namespace must match the
 * event's, and events are selectable by involved object, reason, source and type.
 */
import type { Event } from '../../../gen/kube/core-v1.js';
import { type FieldError, invalidValue } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { type ResourceDefinition, WIDE_NAME_COLUMN_SLOT } from '../rest/definition.js';
import { since } from '../../util/duration.js';
import { num, str } from './fields.js';
import { declared } from '../rest/declared.js';

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

function validateEvent(obj: Event): FieldError[] {
  const errs: FieldError[] = [];
  const involved = obj.involvedObject ?? {};
  const ns = obj.metadata?.namespace ?? '';
  const involvedNs = str(involved.namespace);
  // Events about cluster-scoped objects live in `default` (or carry no involved namespace).
  if (involvedNs ? involvedNs !== ns : ns !== '' && ns !== 'default') {
    errs.push(invalidValue('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  }
  return errs;
}

/** The core/v1 Event resource. */
export const events: ResourceDefinition<Event> = {
  ...declared('', 'events'),
  allowCreateOnUpdate: true,
  nameValidator: isDns1123Subdomain,
  strategy: {
    validate: validateEvent,
    validateUpdate: (obj) => validateEvent(obj),
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
