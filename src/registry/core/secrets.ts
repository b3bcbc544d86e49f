/**
 * core/v1 Secret: `stringData` is merged into base64 `data` and dropped, `type` defaults
 * to Opaque and never changes, keys are validated, typed secrets need their keys, and
 * immutable secrets keep their data.
 */
import type { Secret } from '../../../gen/kube/core-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, forbidden, invalidValue, required } from '../../machinery/validation/field-error.js';
import { isConfigMapKey, isDns1123Subdomain } from '../../machinery/validation/names.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { asStringMap, str } from './fields.js';
import { declared } from '../rest/declared.js';

/** Upstream's limit on the total size of a secret's data. */
export const MAX_SECRET_SIZE = 1024 * 1024;

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decode-time conversion: stringData wins over data and is not stored; type defaults to Opaque. */
function convertSecret(obj: Secret): void {
  const stringData = asStringMap(obj.stringData);
  if (obj.stringData !== undefined) {
    const data = asStringMap(obj.data);
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
    if (Object.keys(data).length > 0) obj.data = data;
    delete obj.stringData;
  }
  if (!str(obj.type)) obj.type = 'Opaque';
}

function requireKey(data: Record<string, string>, key: string, errs: FieldError[]): void {
  if (data[key] === undefined) errs.push(required(`data[${key}]`, ''));
}

function validateSecret(obj: Secret): FieldError[] {
  const errs: FieldError[] = [];
  const data = asStringMap(obj.data);
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const msg of isConfigMapKey(k)) errs.push(invalidValue(`data[${k}]`, k, msg));
    if (!BASE64_RE.test(v)) errs.push(invalidValue(`data[${k}]`, '<value omitted>', 'must be base64-encoded bytes'));
    size += Buffer.from(v, 'base64').length;
  }
  if (size > MAX_SECRET_SIZE) errs.push({ type: 'TooLong', field: 'data', detail: `may not be more than ${MAX_SECRET_SIZE} bytes` });
  switch (obj.type) {
    case 'kubernetes.io/service-account-token':
      if (!obj.metadata?.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(required('metadata.annotations[kubernetes.io/service-account.name]', ''));
      }
      break;
    case 'kubernetes.io/dockercfg':
      requireKey(data, '.dockercfg', errs);
      break;
    case 'kubernetes.io/dockerconfigjson':
      requireKey(data, '.dockerconfigjson', errs);
      if (data['.dockerconfigjson'] !== undefined) {
        try {
          JSON.parse(Buffer.from(data['.dockerconfigjson'], 'base64').toString('utf8'));
        } catch (err) {
          errs.push(invalidValue('data[.dockerconfigjson]', '<secret contents redacted>', (err as Error).message));
        }
      }
      break;
    case 'kubernetes.io/basic-auth':
      if (data.username === undefined && data.password === undefined) {
        errs.push(required('data[username]', ''), required('data[password]', ''));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      requireKey(data, 'ssh-privatekey', errs);
      break;
    case 'kubernetes.io/tls':
      requireKey(data, 'tls.crt', errs);
      requireKey(data, 'tls.key', errs);
      break;
  }
  return errs;
}

function validateSecretUpdate(obj: Secret, old: Secret): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.type !== old.type) errs.push(invalidValue('type', obj.type, 'field is immutable'));
  if (old.immutable === true) {
    if (obj.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (!jsonEqual(obj.data ?? {}, old.data ?? {})) errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
  }
  errs.push(...validateSecret(obj));
  return errs;
}

/** The Secret resource. */
export const secrets: ResourceDefinition<Secret> = {
  // Converted at decode, as upstream's decoder does (the field manager sees data and type),
  // and again in the strategy for writers that never decode.
  ...declared('', 'secrets', { v1: { defaults: (obj) => convertSecret(obj as Secret) } }),
  nameValidator: isDns1123Subdomain,
  strategy: {
    prepareForCreate: convertSecret,
    prepareForUpdate: convertSecret,
    validate: validateSecret,
    validateUpdate: validateSecretUpdate,
  },
  selectableFields: (obj) => ({ type: str(obj.type) }),
  printerColumns: [
    { name: 'Type', type: 'string', description: 'The type of the secret', cell: (obj) => str(obj.type) },
    { name: 'Data', type: 'integer', description: 'The number of keys in the secret', cell: (obj) => Object.keys(obj.data ?? {}).length },
  ],
};
