/**
 * Which protobuf message a stored apiVersion/kind is written and read with, from the
 * resource definitions: the storage codec asks, so that the storage layer knows no
 * registry. Kinds without a definition (future CRDs) have none and are stored as JSON.
 */
import { definitionApiVersion, type ResourceDefinition } from '../registry/rest/definition.js';
import type { ProtobufTypeLookup } from '../storage/index.js';

/** Builds the lookup over every definition (served or not, so that any stored value reads). */
export function protobufTypeLookup(definitions: readonly ResourceDefinition[]): ProtobufTypeLookup {
  const types = new Map<string, string>();
  for (const def of definitions) types.set(`${definitionApiVersion(def)}\u0000${def.kind}`, def.typeName);
  return (apiVersion, kind) => types.get(`${apiVersion}\u0000${kind}`);
}
