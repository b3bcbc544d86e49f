/** Validation of label and annotation maps, with upstream's messages. */
import { type FieldError, invalidValue } from './field-error.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

/** Total size limit of an object's annotations (keys plus values). */
export const TOTAL_ANNOTATION_SIZE = 256 * 1024;

/** Validates label keys and values of a label map at `path`. */
export function validateLabels(labels: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const msg of isQualifiedName(k)) errs.push(invalidValue(path, k, msg));
    for (const msg of isValidLabelValue(String(v))) errs.push(invalidValue(path, v, msg));
  }
  return errs;
}

/** Validates annotation keys (case-insensitively qualified names) and the total size at `path`. */
export function validateAnnotations(annotations: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalidValue(path, k, msg));
    size += k.length + String(v).length;
  }
  if (size > TOTAL_ANNOTATION_SIZE) errs.push({ type: 'TooLong', field: path, detail: `must have at most ${TOTAL_ANNOTATION_SIZE} bytes` });
  return errs;
}
