/**
 * Kubernetes JSON -> ts-proto message, driven by the compiled message plans.
 * Field names are matched case-sensitively (as sigs.k8s.io/json does); `null`
 * leaves a field unset; keys the schema does not know are collected as paths
 * ("spec.containers[0].foo") for strict field validation.
 */
import { Buffer } from 'node:buffer';
import { SchemaDecodeError } from './errors.js';
import { describeJsonValue, isJsonObject, type JsonObject, type JsonValue } from './json.js';
import { getMessagePlan, type FieldPlan, type MessagePlan } from './plan.js';
import type { FailFn } from './special-types.js';
import { setOwn } from '../../util/own-property.js';

/** Options of kubeJsonToMessage. */
export interface KubeJsonDecodeOptions {
  /** Path of this value inside an enclosing document, prefixed to error and unknown-field paths. */
  path?: string;
}

/** A decoded message and the JSON paths the schema did not recognise. */
export interface KubeJsonDecodeResult {
  message: Record<string, unknown>;
  unknownFields: string[];
}

const INT_RANGES: Record<string, readonly [number, number]> = {
  int32: [-2147483648, 2147483647],
  sint32: [-2147483648, 2147483647],
  sfixed32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  fixed32: [0, 4294967295],
  int64: [-9223372036854775808, 9223372036854775807],
  sint64: [-9223372036854775808, 9223372036854775807],
  sfixed64: [-9223372036854775808, 9223372036854775807],
  uint64: [0, 18446744073709551615],
  fixed64: [0, 18446744073709551615],
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

/** Decoding state shared by one kubeJsonToMessage call. */
interface Walk {
  unknown: string[];
}

function typeError(structName: string, path: string, valueText: string, goType: string): SchemaDecodeError {
  return new SchemaDecodeError(
    `json: cannot unmarshal ${valueText} into Go struct field ${structName}.${path} of type ${goType}`,
    path,
  );
}

function decodeScalar(type: string, value: JsonValue, goType: string, structName: string, path: string): unknown {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw typeError(structName, path, describeJsonValue(value), goType);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw typeError(structName, path, describeJsonValue(value), goType);
      return value;
    case 'double':
    case 'float':
      if (typeof value !== 'number') throw typeError(structName, path, describeJsonValue(value), goType);
      return value;
    case 'bytes': {
      if (typeof value !== 'string') throw typeError(structName, path, describeJsonValue(value), goType);
      if (value.length % 4 !== 0 || !BASE64.test(value)) {
        const bad = value.search(/[^A-Za-z0-9+/=]/);
        throw new SchemaDecodeError(`illegal base64 data at input byte ${bad >= 0 ? bad : value.length}`, path);
      }
      return Buffer.from(value, 'base64');
    }
    default: {
      // Integers (and enums, which are numbers in ts-proto).
      if (typeof value !== 'number') throw typeError(structName, path, describeJsonValue(value), goType);
      const range = INT_RANGES[type] ?? INT_RANGES.int32!;
      if (!Number.isInteger(value) || value < range[0] || value > range[1]) {
        throw typeError(structName, path, `number ${String(value)}`, goType);
      }
      return value;
    }
  }
}

function decodeMessageValue(
  plan: MessagePlan,
  value: JsonValue,
  structName: string,
  path: string,
  upath: string,
  walk: Walk,
): Record<string, unknown> {
  const special = plan.special;
  if (special) {
    const fail: FailFn = (v, goType, detail) => {
      if (detail !== undefined) throw new SchemaDecodeError(detail, path);
      throw typeError(structName, path, describeJsonValue(v), goType ?? plan.goType);
    };
    return special.fromJson(value, fail);
  }
  if (!isJsonObject(value)) throw typeError(structName, path, describeJsonValue(value), plan.goType);
  return decodeObject(plan, value, path, upath, walk, false);
}

function decodeElement(f: FieldPlan, value: JsonValue, structName: string, path: string, upath: string, walk: Walk): unknown {
  if (f.isMessage) {
    if (value === null) return f.message().create();
    return decodeMessageValue(f.message(), value, structName, path, upath, walk);
  }
  if (value === null) return zeroScalar(f.schema.type);
  return decodeScalar(f.schema.type, value, f.goElemType, structName, path);
}

function zeroScalar(type: string): unknown {
  switch (type) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'bytes':
      return Buffer.alloc(0);
    default:
      return 0;
  }
}

function decodeField(f: FieldPlan, value: JsonValue, structName: string, path: string, upath: string, walk: Walk): unknown {
  if (f.isMap) {
    if (!isJsonObject(value)) throw typeError(structName, path, describeJsonValue(value), f.goType);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      setOwn(out, key, decodeElement(f, value[key] as JsonValue, structName, path, `${upath}.${key}`, walk));
    }
    return out;
  }
  if (f.repeated) {
    if (!Array.isArray(value)) throw typeError(structName, path, describeJsonValue(value), f.goType);
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      out[i] = decodeElement(f, value[i] as JsonValue, structName, path, `${upath}[${i}]`, walk);
    }
    return out;
  }
  return decodeElement(f, value, structName, path, upath, walk);
}

function decodeObject(plan: MessagePlan, obj: JsonObject, path: string, upath: string, walk: Walk, root: boolean): Record<string, unknown> {
  const msg = plan.create();
  const byJson = plan.byJson;
  for (const key of Object.keys(obj)) {
    const chain = byJson.get(key);
    if (chain === undefined) {
      if (root && (key === 'apiVersion' || key === 'kind')) continue;
      walk.unknown.push(join(upath, key));
      continue;
    }
    const value = obj[key] as JsonValue;
    if (value === null) continue;
    let target = msg;
    const last = chain.length - 1;
    for (let i = 0; i < last; i++) {
      const inline = chain[i]!;
      let next = target[inline.prop] as Record<string, unknown> | undefined;
      if (next === undefined) {
        next = inline.message().create();
        target[inline.prop] = next;
      }
      target = next;
    }
    const leaf = chain[last]!;
    target[leaf.prop] = decodeField(leaf, value, plan.goName, join(path, key), join(upath, key), walk);
  }
  return msg;
}

/**
 * Converts Kubernetes JSON into the ts-proto object of `typeName`.
 * Top-level `apiVersion`/`kind` are ignored unless the message declares them.
 * Throws SchemaDecodeError on type mismatches, UnknownMessageError for an unknown type.
 */
export function kubeJsonToMessage(typeName: string, json: unknown, options: KubeJsonDecodeOptions = {}): KubeJsonDecodeResult {
  const plan = getMessagePlan(typeName);
  const prefix = options.path ?? '';
  const walk: Walk = { unknown: [] };
  let message: Record<string, unknown>;
  if (isJsonObject(json) && !plan.special) {
    message = decodeObject(plan, json, prefix, prefix, walk, true);
  } else if (plan.special && json !== null && json !== undefined) {
    message = decodeMessageValue(plan, json as JsonValue, plan.goName, prefix, prefix, walk);
  } else {
    throw new SchemaDecodeError(`json: cannot unmarshal ${describeJsonValue(json)} into Go value of type ${plan.goType}`, prefix);
  }
  return { message, unknownFields: walk.unknown };
}
