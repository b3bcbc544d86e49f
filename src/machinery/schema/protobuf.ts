/**
 * Protobuf bytes <-> ts-proto messages through the generated MessageFns.
 */
import { messageFns, type GeneratedMessageFns } from '../../../gen/schema/messages.js';
import { UnknownMessageError } from './errors.js';
import { getMessagePlan, type MessagePlan } from './plan.js';

function fnsFor(typeName: string): GeneratedMessageFns {
  const fns = Object.prototype.hasOwnProperty.call(messageFns, typeName) ? messageFns[typeName] : undefined;
  if (!fns) throw new UnknownMessageError(typeName);
  return fns;
}

/** Adds the empty lists and maps ts-proto's encoder expects but hand-built messages may lack. */
function fillCollections(plan: MessagePlan, message: Record<string, unknown>): void {
  for (const f of plan.fields) {
    const value = message[f.prop];
    if (f.isMap) {
      if (value === undefined || value === null) message[f.prop] = {};
      else if (f.isMessage) for (const v of Object.values(value as object)) fillCollections(f.message(), v as Record<string, unknown>);
    } else if (f.repeated) {
      if (value === undefined || value === null) message[f.prop] = [];
      else if (f.isMessage) for (const v of value as unknown[]) fillCollections(f.message(), v as Record<string, unknown>);
    } else if (f.isMessage && value !== undefined && value !== null) {
      fillCollections(f.message(), value as Record<string, unknown>);
    }
  }
}

/** Decodes protobuf bytes (no envelope) into the ts-proto message of `typeName`. */
export function decodeProtobufObject(typeName: string, bytes: Uint8Array): Record<string, unknown> {
  return fnsFor(typeName).decode(bytes) as Record<string, unknown>;
}

/**
 * Encodes a ts-proto message of `typeName` as protobuf bytes (no envelope).
 * Missing repeated/map fields are added to `message` (in place) as empty.
 */
export function encodeProtobufObject(typeName: string, message: object): Uint8Array {
  const fns = fnsFor(typeName);
  fillCollections(getMessagePlan(typeName), message as Record<string, unknown>);
  return fns.encode(message).finish();
}
