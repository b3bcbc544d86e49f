/**
 * Canonical Kubernetes JSON: a document passed through our types and back.
 */
import type { JsonObject } from './json.js';
import { kubeJsonToMessage } from './kube-json-decode.js';
import { messageToKubeJson } from './kube-json-encode.js';

/** A canonical object and the JSON paths our types did not recognise (dropped from it). */
export interface NormalizedKubeJson {
  object: JsonObject;
  unknownFields: string[];
}

/**
 * Decodes `json` as `typeName` and encodes it again. apiVersion/kind are not
 * part of the result. Throws SchemaDecodeError on type mismatches.
 */
export function normalizeKubeJson(typeName: string, json: unknown): NormalizedKubeJson {
  const { message, unknownFields } = kubeJsonToMessage(typeName, json);
  return { object: messageToKubeJson(typeName, message), unknownFields };
}
