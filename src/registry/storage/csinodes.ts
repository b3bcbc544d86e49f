/**
 * storage.k8s.io/v1 CSINode: cluster-scoped, named after its node; the CSI drivers
 * registered there, each with a valid driver name (unique in the list), a node ID of at
 * most 256 characters and qualified topology keys. A registered driver's entry never
 * changes (MutableCSINodeAllocatableCount is off in 1.33); drivers come and go whole.
 */
import type { CSINode, CSINodeDriver } from '../../../gen/kube/storage-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, invalidValue, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain, isQualifiedName } from '../../machinery/validation/names.js';
import { str } from '../core/fields.js';
import { validateNonNegative } from '../core/workload.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { validateCsiDriverName } from './csi-names.js';

/** The longer node ID limit upstream has allowed on every write since 1.22. */
const MAX_NODE_ID = 256;

function validateDriver(driver: CSINodeDriver, seen: Set<string>, path: string): FieldError[] {
  const name = str(driver.name);
  const errs = validateCsiDriverName(name, `${path}.name`);
  const nodeId = str(driver.nodeID);
  if (nodeId.length === 0) errs.push(required(`${path}.nodeID`));
  if (nodeId.length > MAX_NODE_ID) errs.push(invalidValue(`${path}.nodeID`, nodeId, `must be ${MAX_NODE_ID} characters or less`));
  if (driver.allocatable && typeof driver.allocatable.count === 'number') errs.push(...validateNonNegative(driver.allocatable.count, `${path}.allocatable.count`));
  if (seen.has(name)) errs.push({ type: 'Duplicate', field: `${path}.name`, value: name, detail: '' });
  seen.add(name);
  // Upstream reports topology key problems at the driver's path, not the key's.
  const keys = new Set<string>();
  for (const key of driver.topologyKeys ?? []) {
    if (key.length === 0) errs.push(required(path, key));
    if (keys.has(key)) errs.push({ type: 'Duplicate', field: path, value: key, detail: '' });
    keys.add(key);
    for (const msg of isQualifiedName(key)) errs.push(invalidValue(path, key, msg));
  }
  return errs;
}

function validateCsiNode(obj: CSINode): FieldError[] {
  const seen = new Set<string>();
  return (obj.spec?.drivers ?? []).flatMap((d, i) => validateDriver(d, seen, `spec.drivers[${i}]`));
}

/** The CSINode resource. */
export const csiNodes: ResourceDefinition<CSINode> = {
  ...declared('storage.k8s.io', 'csinodes'),
  nameValidator: isDns1123Subdomain,
  strategy: {
    validate: validateCsiNode,
    validateUpdate(obj, old) {
      const errs = validateCsiNode(obj);
      for (const before of old.spec?.drivers ?? []) {
        for (const after of obj.spec?.drivers ?? []) {
          if (str(after.name) === str(before.name) && !jsonEqual(after, before)) errs.push(invalidValue('spec.drivers', after, 'field is immutable'));
        }
      }
      return errs;
    },
  },
  printerColumns: [
    { name: 'Drivers', type: 'integer', description: 'Drivers indicates the number of CSI drivers registered on the node', cell: (obj) => (obj.spec?.drivers ?? []).length },
  ],
};
