/**
 * apps/v1 ControllerRevision: a snapshot a controller keeps; `data` is required and may not
 * change, `revision` is never negative.
 */
import type { ControllerRevision } from '../../../gen/kube/apps-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, invalidValue, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { num, str } from '../core/fields.js';
import { validateNonNegative } from '../core/workload.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';

function validateRevision(obj: ControllerRevision): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.data === undefined || obj.data === null) errs.push(required('data', 'data is mandatory'));
  errs.push(...validateNonNegative(obj.revision, 'revision'));
  return errs;
}

/** kubectl's CONTROLLER cell: the controlling owner as `kind.group/name`. */
function controllerOf(obj: ControllerRevision): string {
  const ref = (obj.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const apiVersion = str(ref.apiVersion);
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const kind = str(ref.kind);
  if (!kind) return str(ref.name);
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${str(ref.name)}`;
}

/** The ControllerRevision resource. */
export const controllerRevisions: ResourceDefinition<ControllerRevision> = {
  ...declared('apps', 'controllerrevisions'),
  nameValidator: isDns1123Subdomain,
  strategy: {
    validate: validateRevision,
    validateUpdate: (obj, old) => [
      ...validateRevision(obj),
      ...(jsonEqual(obj.data, old.data) ? [] : [invalidValue('data', obj.data ?? null, 'field is immutable')]),
    ],
  },
  printerColumns: [
    { name: 'Controller', type: 'string', description: 'Controller of the object', cell: controllerOf },
    { name: 'Revision', type: 'integer', description: 'Revision indicates the revision of the state represented by Data.', cell: (obj) => num(obj.revision) ?? 0 },
  ],
};
