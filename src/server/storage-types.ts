/**
 * Which protobuf message a stored apiVersion/kind is written and read with: the scheme
 * knows every installed kind, served or not, so that any stored value reads, and the
 * storage layer knows no registry. Kinds without messages (custom resources) have none
 * and are stored as JSON.
 */
import { parseApiVersion } from '../machinery/meta/gvk.js';
import type { Scheme } from '../machinery/runtime/scheme.js';
import type { ProtobufTypeLookup } from '../storage/index.js';

/** The lookup the storage codec asks, answered by the scheme as it is at the time of asking. */
export function protobufTypeLookup(scheme: Scheme): ProtobufTypeLookup {
  return (apiVersion, kind) => scheme.get({ ...parseApiVersion(apiVersion), kind })?.proto?.typeName;
}
