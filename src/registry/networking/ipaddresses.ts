/**
 * networking.k8s.io/v1 IPAddress (and v1beta1, the same objects, off unless --runtime-config
 * turns it on): one IP, named by its canonical text, naming the object
 * that holds it in `spec.parentRef` (fixed once set). The Service allocator writes one for
 * every cluster IP it hands out (core/service-allocator.ts), at the same storage keys.
 */
import type { IPAddress, ParentReference } from '../../../gen/kube/networking-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, invalidValue, required } from '../../machinery/validation/field-error.js';
import { strictIpProblems } from '../../machinery/validation/ip.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';

/** apimachinery's IsValidPathSegmentName. */
export function pathSegmentProblems(value: string): string[] {
  if (value === '.' || value === '..') return [`may not be '${value}'`];
  return ['/', '%'].filter((c) => value.includes(c)).map((c) => `may not contain '${c}'`);
}

function validateParentRef(ref: ParentReference | undefined): FieldError[] {
  const p = 'spec.parentRef';
  if (!ref) return [required(p)];
  const errs: FieldError[] = [];
  const group = str(ref.group);
  // The core group is the empty string, so only a named group is checked.
  if (group) for (const msg of isDns1123Subdomain(group)) errs.push(invalidValue(`${p}.group`, group, msg));
  for (const key of ['resource', 'name'] as const) {
    const value = str(ref[key]);
    if (!value) errs.push(required(`${p}.${key}`));
    else for (const msg of pathSegmentProblems(value)) errs.push(invalidValue(`${p}.${key}`, value, msg));
  }
  const namespace = str(ref.namespace);
  if (namespace) for (const msg of pathSegmentProblems(namespace)) errs.push(invalidValue(`${p}.namespace`, namespace, msg));
  return errs;
}

/** Upstream's ParentRef column: `resource[.group][/namespace]/name`. */
function parentRefCell(obj: IPAddress): string {
  const ref = obj.spec?.parentRef;
  if (!ref) return '<none>';
  const group = str(ref.group);
  let text = (group ? `${str(ref.resource)}.${group}` : str(ref.resource)).toLowerCase();
  if (str(ref.namespace)) text += `/${str(ref.namespace)}`;
  return `${text}/${str(ref.name)}`;
}

/** The IPAddress resource. */
export const ipAddresses: ResourceDefinition<IPAddress> = {
  ...declared('networking.k8s.io', 'ipaddresses'),
  nameValidator: strictIpProblems,
  strategy: {
    validate: (obj) => validateParentRef(obj.spec?.parentRef),
    validateUpdate(obj, old) {
      const errs = validateParentRef(obj.spec?.parentRef);
      if (!jsonEqual(obj.spec?.parentRef ?? null, old.spec?.parentRef ?? null)) errs.push(invalidValue('spec.parentRef', obj.spec?.parentRef ?? null, 'field is immutable'));
      return errs;
    },
  },
  printsAge: false,
  printerColumns: [{ name: 'ParentRef', type: 'string', description: 'ParentRef references the resource that an IPAddress is attached to. An IPAddress must reference a parent object.', cell: parentRefCell }],
};
