/** Kubernetes JSON → ts-proto messages for gRPC replies, through the descriptor-driven codec. */
import { kubeJsonToMessage } from '../../machinery/schema/index.js';

/** Kubernetes JSON (object, list or Status) → the ts-proto message of `typeName`. */
export function messageFromJson(typeName: string, json: unknown): Record<string, unknown> {
  return kubeJsonToMessage(typeName, json).message;
}
