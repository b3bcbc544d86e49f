/** What storage.k8s.io kinds share: the rules for a CSI driver's name (core's ValidateCSIDriverName). */
import { type FieldError, invalidValue, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';

const MAX_DRIVER_NAME = 63;

/** A CSI driver name: present, at most 63 bytes, a DNS subdomain once lowercased. */
export function validateCsiDriverName(name: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (name.length === 0) errs.push(required(path));
  if (name.length > MAX_DRIVER_NAME) errs.push({ type: 'TooLong', field: path, value: name, detail: `may not be more than ${MAX_DRIVER_NAME} bytes` });
  for (const msg of isDns1123Subdomain(name.toLowerCase())) errs.push(invalidValue(path, name, msg));
  return errs;
}
