/**
 * ts-proto messages ↔ Kubernetes JSON for the gRPC adapter, through the
 * descriptor-driven codec. Objects entering the pipeline get apiVersion/kind.
 */
import { definitionApiVersion } from '../../registry/rest/definition.js';
import type { ServedResource } from '../../registry/rest/served.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { kubeJsonToMessage, messageToKubeJson } from '../../machinery/schema/index.js';

/** A request's object message → Kubernetes JSON with apiVersion and kind. */
export function objectFromMessage(def: ServedResource, message: object | undefined): KubeObject {
  const json = message ? messageToKubeJson(def.typeName, message) : {};
  return { apiVersion: definitionApiVersion(def), kind: def.kind, ...json };
}

/** Kubernetes JSON (object, list or Status) → the ts-proto message of `typeName`. */
export function messageFromJson(typeName: string, json: unknown): Record<string, unknown> {
  return kubeJsonToMessage(typeName, json).message;
}
