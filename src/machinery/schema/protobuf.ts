/**
 * Protobuf bytes <-> ts-proto messages through the generated MessageFns.
 */
import { messageFns, type GeneratedMessageFns } from '../../../gen/schema/messages.js';
import { UnknownMessageError } from './errors.js';

function fnsFor(typeName: string): GeneratedMessageFns {
  const fns = Object.prototype.hasOwnProperty.call(messageFns, typeName) ? messageFns[typeName] : undefined;
  if (!fns) throw new UnknownMessageError(typeName);
  return fns;
}

/** Decodes protobuf bytes (no envelope) into the ts-proto message of `typeName`. */
export function decodeProtobufObject(typeName: string, bytes: Uint8Array): Record<string, unknown> {
  return fnsFor(typeName).decode(bytes) as Record<string, unknown>;
}

/** Encodes a ts-proto message of `typeName` as protobuf bytes (no envelope). */
export function encodeProtobufObject(typeName: string, message: object): Uint8Array {
  return fnsFor(typeName).encode(message).finish();
}
