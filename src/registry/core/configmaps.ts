/** core/v1 ConfigMap: data keys validated; immutable ConfigMaps keep their data. */
import type { ConfigMap } from '../../../gen/kube/core-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, forbidden, invalidValue } from '../../machinery/validation/field-error.js';
import { isConfigMapKey, isDns1123Subdomain } from '../../machinery/validation/names.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { declared } from '../rest/declared.js';

const MAX_SIZE = 1024 * 1024;

function validateConfigMap(obj: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  const data = obj.data ?? {};
  const binary = obj.binaryData ?? {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const msg of isConfigMapKey(k)) errs.push(invalidValue(`data[${k}]`, k, msg));
    if (Object.hasOwn(binary, k)) errs.push(invalidValue(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(v, 'utf8');
  }
  for (const [k, v] of Object.entries(binary)) {
    for (const msg of isConfigMapKey(k)) errs.push(invalidValue(`binaryData[${k}]`, k, msg));
    if (Object.hasOwn(data, k)) errs.push(invalidValue(`binaryData[${k}]`, k, 'duplicate of key present in data'));
    size += Buffer.from(v, 'base64').length;
  }
  if (size > MAX_SIZE) errs.push({ type: 'TooLong', field: '', detail: `may not be more than ${MAX_SIZE} bytes` });
  return errs;
}

/** The ConfigMap resource. */
export const configMaps: ResourceDefinition<ConfigMap> = {
  ...declared('', 'configmaps'),
  nameValidator: isDns1123Subdomain,
  printerColumns: [
    { name: 'Data', type: 'integer', description: 'The number of keys in the config map', cell: (obj) => Object.keys(obj.data ?? {}).length + Object.keys(obj.binaryData ?? {}).length },
  ],
  strategy: {
    validate: validateConfigMap,
    validateUpdate(obj, old) {
      const errs = validateConfigMap(obj);
      if (old.immutable === true) {
        if (!jsonEqual(obj.data ?? {}, old.data ?? {}) || !jsonEqual(obj.binaryData ?? {}, old.binaryData ?? {})) {
          errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
        }
        if (obj.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
      }
      return errs;
    },
  },
};
