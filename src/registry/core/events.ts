/**
 * core/v1 Event: the legacy event API. The involved object's namespace must match the
 * event's, and events are selectable by involved object, reason, source and type.
 */
import type { Event } from '../../../gen/kube/core-v1.js';
import { type FieldError, invalidValue } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { str } from './fields.js';
import { declared } from '../rest/declared.js';

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
  printerColumns: [
    { name: 'Type', type: 'string', description: 'The type of the event', cell: (obj) => str(obj.type) },
    { name: 'Reason', type: 'string', description: 'The reason of the event', cell: (obj) => str(obj.reason) },
    {
      name: 'Object',
      type: 'string',
      description: 'The object the event is about',
      cell(obj) {
        const involved = obj.involvedObject ?? {};
        return `${str(involved.kind).toLowerCase()}/${str(involved.name)}`;
      },
    },
    { name: 'Message', type: 'string', description: 'The message of the event', cell: (obj) => str(obj.message) },
  ],
};
