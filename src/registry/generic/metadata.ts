/**
 * Generic ObjectMeta handling shared by every resource: system fields on create, carried
 * fields on update, and ObjectMeta validation with upstream's messages.
 */
import { randomUUID, randomInt } from 'node:crypto';
import { type KubeObject, type ObjectMeta, nowRfc3339 } from '../../machinery/meta/object.js';
import {
  type FieldError,
  forbidden,
  invalidValue,
  required,
} from '../../machinery/validation/field-error.js';
import { validateAnnotations, validateLabels } from '../../machinery/validation/labels.js';
import type { ServedResource } from '../rest/served.js';

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` + 5 random characters, as upstream's SimpleNameGenerator. */
export function generateName(base: string): string {
  const prefix = base.length > 58 ? base.slice(0, 58) : base;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return prefix + suffix;
}

/** Fills system fields of a new object (uid, creationTimestamp, generation). */
export function fillSystemFieldsOnCreate(def: ServedResource, meta: ObjectMeta): void {
  meta.uid = randomUUID();
  meta.creationTimestamp = nowRfc3339();
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (def.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
}

/** Fields the client may not change on update: carried over from the stored object. */
export function carrySystemFieldsOnUpdate(meta: ObjectMeta, old: ObjectMeta): void {
  if (old.uid !== undefined) meta.uid = old.uid;
  else delete meta.uid;
  if (old.creationTimestamp !== undefined) meta.creationTimestamp = old.creationTimestamp;
  if (old.deletionTimestamp !== undefined) meta.deletionTimestamp = old.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (old.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
  else delete meta.deletionGracePeriodSeconds;
  if (old.generation !== undefined) meta.generation = old.generation;
  else delete meta.generation;
  delete meta.selfLink;
}

/** ObjectMeta validation common to every resource (create). */
export function validateObjectMeta(def: ServedResource, obj: KubeObject): FieldError[] {
  const meta = obj.metadata ?? {};
  const errs: FieldError[] = [];
  if (!meta.name) {
    errs.push(required('metadata.name', 'name or generateName is required'));
  } else {
    for (const msg of def.nameValidator(meta.name, obj)) errs.push(invalidValue('metadata.name', meta.name, msg));
  }
  if (def.namespaced) {
    if (!meta.namespace) errs.push(required('metadata.namespace', ''));
  } else if (meta.namespace) {
    errs.push(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  errs.push(...validateLabels(meta.labels ?? {}, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations ?? {}, 'metadata.annotations'));
  if (meta.generation !== undefined && meta.generation < 0) {
    errs.push(invalidValue('metadata.generation', meta.generation, 'must be greater than or equal to 0'));
  }
  return errs;
}

/** ObjectMeta validation on update: everything above plus immutability. */
export function validateObjectMetaUpdate(def: ServedResource, obj: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMeta(def, obj).filter((e) => e.field !== 'metadata.name' || obj.metadata?.name !== old.metadata?.name);
  const m = obj.metadata ?? {};
  const o = old.metadata ?? {};
  if (m.name !== o.name) errs.push(invalidValue('metadata.name', m.name, 'field is immutable'));
  if ((m.namespace ?? '') !== (o.namespace ?? '')) errs.push(invalidValue('metadata.namespace', m.namespace, 'field is immutable'));
  return errs;
}
