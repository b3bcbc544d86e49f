/** How object values are written to the backend: kube-apiserver's `--storage-media-type`. */

/** Kubernetes protobuf: the `k8s\0` magic and a runtime.Unknown around the object's bytes. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
/** UTF-8 JSON carrying apiVersion and kind. */
export const JSON_MEDIA_TYPE = 'application/json';

/** The media types values can be written in (both are always read). */
export type StorageMediaType = typeof PROTOBUF_MEDIA_TYPE | typeof JSON_MEDIA_TYPE;

/** The default, as kube-apiserver's for built-in kinds. */
export const DEFAULT_STORAGE_MEDIA_TYPE: StorageMediaType = PROTOBUF_MEDIA_TYPE;

const SUPPORTED: readonly StorageMediaType[] = [JSON_MEDIA_TYPE, PROTOBUF_MEDIA_TYPE];

/** Validates a `--storage-media-type` value; throws an Error naming the supported ones. */
export function parseStorageMediaType(value: string): StorageMediaType {
  const found = SUPPORTED.find((m) => m === value.trim());
  if (!found) {
    throw new Error(`invalid value "${value}" for --storage-media-type: supported media types are ${SUPPORTED.join(', ')}`);
  }
  return found;
}
