/**
 * What StorageClass and VolumeAttributesClass share: a driver (provisioner) name that is a
 * qualified name once lowercased, and string parameters of bounded count and size.
 */
import { type FieldError, invalidValue, required } from '../../machinery/validation/field-error.js';
import { isQualifiedName } from '../../machinery/validation/names.js';

const MAX_PROVISIONER = 63;
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_BYTES = 256 * 1024;

const tooLong = (field: string, max: number): FieldError => ({ type: 'TooLong', field, detail: `may not be more than ${max} bytes` });

/** A provisioner or driver name: required, at most 63 bytes, a qualified name once lowercased. */
export function validateProvisionerName(name: string, path: string): FieldError[] {
  if (!name) return [required(path)];
  const errs: FieldError[] = [];
  if (name.length > MAX_PROVISIONER) errs.push(tooLong(path, MAX_PROVISIONER));
  for (const msg of isQualifiedName(name.toLowerCase())) errs.push(invalidValue(path, name, msg));
  return errs;
}

/** Class parameters: at most 512 keys, none empty, 256 KiB in all; `allowEmpty: false` wants at least one. */
export function validateClassParameters(parameters: Record<string, string> | undefined, path: string, allowEmpty: boolean): FieldError[] {
  const params = Object.entries(parameters ?? {});
  if (params.length > MAX_PARAMETERS) return [tooLong(path, MAX_PARAMETERS)];
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of params) {
    if (k.length === 0) errs.push(invalidValue(path, k, 'field can not be empty.'));
    size += k.length + v.length;
  }
  if (size > MAX_PARAMETERS_BYTES) errs.push(tooLong(path, MAX_PARAMETERS_BYTES));
  if (!allowEmpty && params.length === 0) errs.push(required(path, 'must contain at least one key/value pair'));
  return errs;
}
