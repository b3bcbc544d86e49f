/** Refusals in admission's wording (upstream's admission.NewForbidden). */
import { forbidden } from '../../machinery/errors/index.js';
import type { ApiError } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { AdmissionAttributes } from '../../registry/rest/admission.js';

/** The name admission speaks of: the object's name, else its generateName, else the request's. */
function nameOf(a: AdmissionAttributes): string {
  const meta = (a.object as KubeObject | undefined)?.metadata;
  return meta?.name || meta?.generateName || a.name;
}

/** `pods "NAME" is forbidden: WHY` (the subresource joins the resource: `pods/binding`). */
export function admissionForbidden(a: AdmissionAttributes, why: string): ApiError {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return forbidden({ group: a.group, resource }, nameOf(a), why);
}

/** Go's utilerrors.NewAggregate(...).Error(): one message as it is, several in brackets, repeats dropped. */
export function aggregateMessage(messages: string[]): string | undefined {
  const unique = [...new Set(messages)];
  if (unique.length === 0) return undefined;
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}
