/**
 * ts-proto message -> Kubernetes JSON, driven by the compiled message plans.
 * Scalars follow Go's encoding/json over the upstream struct: a plain
 * (omitempty) field holding its zero value ("", 0, false) is omitted, a Go
 * pointer field (`nullable`) keeps a set zero, and a field without omitempty
 * (`emitEmpty`) is always written. Unset fields, empty lists and maps are
 * omitted; inline fields are flattened into their parent; map keys are sorted
 * (as Go writes them).
 */
import { Buffer } from 'node:buffer';
import type { JsonObject, JsonValue } from './json.js';
import { getMessagePlan, type FieldPlan, type MessagePlan } from './plan.js';
import { setOwn } from '../../util/own-property.js';

function encodeScalar(type: string, value: unknown): JsonValue {
  if (type === 'bytes') {
    const bytes = value as Uint8Array;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  }
  return value as JsonValue;
}

function encodeElement(f: FieldPlan, value: unknown): JsonValue {
  if (value === undefined || value === null) return null;
  if (f.isMessage) return encodeMessage(f.message(), value as Record<string, unknown>) ?? null;
  return encodeScalar(f.schema.type, value);
}

function encodeMessage(plan: MessagePlan, message: Record<string, unknown>): JsonValue | undefined {
  const special = plan.special;
  if (special) return special.toJson(message);
  const out: JsonObject = {};
  writeFields(plan, message, out);
  return out;
}

/** Go's zero value of a scalar (ts-proto enums are numbers). */
function isZeroScalar(type: string, value: unknown): boolean {
  if (type === 'bytes') return (value as Uint8Array).length === 0;
  return value === '' || value === 0 || value === false;
}

function zeroScalarJson(f: FieldPlan): JsonValue | undefined {
  if (f.schema.kind === 'enum') return 0;
  switch (f.schema.type) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'bytes':
      return undefined;
    default:
      return 0;
  }
}

function writeFields(plan: MessagePlan, message: Record<string, unknown>, out: JsonObject): void {
  for (const f of plan.fields) {
    const value = message[f.prop];
    if (value === undefined || value === null) {
      // A Go value field without omitempty is written even when nothing set it.
      if (f.schema.emitEmpty && !f.schema.nullable && !f.isMessage && !f.repeated && !f.isMap) {
        const zero = zeroScalarJson(f);
        if (zero !== undefined) out[f.json] = zero;
      }
      continue;
    }
    if (f.isMap) {
      const map = value as Record<string, unknown>;
      const keys = Object.keys(map);
      if (keys.length === 0) continue;
      keys.sort();
      const obj: JsonObject = {};
      for (const key of keys) setOwn(obj, key, encodeElement(f, map[key]));
      out[f.json] = obj;
    } else if (f.repeated) {
      const list = value as unknown[];
      if (list.length === 0) continue;
      const arr = new Array<JsonValue>(list.length);
      for (let i = 0; i < list.length; i++) arr[i] = encodeElement(f, list[i]);
      out[f.json] = arr;
    } else if (f.isMessage) {
      const sub = f.message();
      if (f.schema.inline && !sub.special) {
        writeFields(sub, value as Record<string, unknown>, out);
        continue;
      }
      const encoded = encodeMessage(sub, value as Record<string, unknown>);
      if (encoded !== undefined) out[f.json] = encoded;
    } else {
      if (!f.schema.nullable && !f.schema.emitEmpty && isZeroScalar(f.schema.type, value)) continue;
      out[f.json] = encodeScalar(f.schema.type, value);
    }
  }
}

/**
 * Converts a ts-proto message of `typeName` into Kubernetes JSON (without
 * apiVersion/kind, which the caller adds). Throws UnknownMessageError for an unknown type.
 */
export function messageToKubeJson(typeName: string, message: object): JsonObject {
  const plan = getMessagePlan(typeName);
  return (encodeMessage(plan, message as Record<string, unknown>) ?? {}) as JsonObject;
}
