/** What PersistentVolumes and PersistentVolumeClaims share: access modes, their short forms, volume modes, classes. */
import type { ObjectMeta } from '../../../gen/kube/meta-v1.js';
import { type FieldError, notSupported } from '../../machinery/validation/field-error.js';
import { str } from './fields.js';

/** Upstream's supported access modes, in its sorted order for messages. */
export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
export const VOLUME_MODES = ['Block', 'Filesystem'];

/** Each mode must be a known one. */
export function validateAccessModes(modes: readonly string[] | undefined, path: string): FieldError[] {
  return (modes ?? []).filter((m) => !ACCESS_MODES.includes(m)).map((m) => notSupported(path, m, ACCESS_MODES));
}

export function validateVolumeMode(mode: string | null | undefined, path: string): FieldError[] {
  return mode === undefined || mode === null || VOLUME_MODES.includes(mode) ? [] : [notSupported(path, mode, VOLUME_MODES)];
}

/** kubectl's ACCESS MODES cell: RWO, ROX, RWX, RWOP, in that order. */
export function accessModesCell(modes: readonly string[] | undefined): string {
  const short: [string, string][] = [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']];
  return short.filter(([m]) => (modes ?? []).includes(m)).map(([, s]) => s).join(',');
}

/** The class: the beta annotation first, as upstream's helpers read it. */
export function storageClassOf(meta: ObjectMeta | undefined, specClass: string | null | undefined): string {
  const annotated = meta?.annotations?.['volume.beta.kubernetes.io/storage-class'];
  return annotated !== undefined ? annotated : str(specClass);
}
