/**
 * Per-message write plans for the protobuf encoder that reproduces upstream's
 * gogo-generated `Marshal`, compiled once from gen/schema and cached.
 *
 * What the plan encodes about each field is Go's presence rule, which decides
 * whether gogo writes it:
 * - a plain Go value (string, int32, bool, a non-pointer struct) is always
 *   written, its zero value included;
 * - a Go pointer (`nullable` in the schema) and a `[]byte` are written only
 *   when set (non-nil);
 * - slices and maps are written only when non-empty, one record per element;
 *   repeated scalars are unpacked (proto2), map entries go in key order.
 */
import type { FieldSchema } from '../../../gen/schema/types.js';
import { getMessagePlan } from './plan.js';

/** Scalar types the Kubernetes schema uses, and how each goes on the wire. */
export type WireScalar = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'double' | 'float';

/** Messages whose Go type has a hand-written Marshal instead of the generated one. */
export type WireSpecial = 'time' | 'microTime' | 'quantity';

/** When gogo writes a singular field. */
export type WirePresence = 'always' | 'ifSet';

/** One field, with its key bytes precomputed. */
export interface WireField {
  readonly number: number;
  /** ts-proto property name. */
  readonly prop: string;
  /** The field key (number and wire type) as varint bytes. */
  readonly key: Uint8Array;
  readonly shape: 'singular' | 'repeated' | 'map';
  /** Singular fields: whether the field is written. Maps: whether an entry's value is written. */
  readonly presence: WirePresence;
  /** The scalar type (element type of repeated fields, value type of maps), when not a message. */
  readonly scalar: WireScalar | undefined;
  /** Map fields: the key's scalar type. */
  readonly mapKey: WireScalar | undefined;
  /** Map fields: the field keys of an entry's key (1) and value (2). */
  readonly entryKeys: readonly [Uint8Array, Uint8Array] | undefined;
  /** The message plan (element / value type for repeated and map fields). */
  message(): WirePlan;
}

/** One message: fields in ascending field-number order, as gogo writes them. */
export interface WirePlan {
  readonly fullName: string;
  readonly fields: readonly WireField[];
  readonly special: WireSpecial | undefined;
}

const SCALARS = new Set<string>(['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'double', 'float']);

const SPECIALS: Readonly<Record<string, WireSpecial>> = {
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time': 'time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': 'microTime',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'quantity',
  'k8s.io.apimachinery.pkg.api.resource.QuantityValue': 'quantity',
};

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** The protobuf wire type of a scalar. */
export function wireTypeOf(scalar: WireScalar | undefined): number {
  switch (scalar) {
    case undefined:
    case 'string':
    case 'bytes':
      return WIRE_LENGTH_DELIMITED;
    case 'double':
      return WIRE_FIXED64;
    case 'float':
      return WIRE_FIXED32;
    default:
      return WIRE_VARINT;
  }
}

/** A field key as varint bytes. */
export function fieldKey(number: number, wireType: number): Uint8Array {
  const out: number[] = [];
  let v = number * 8 + wireType;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

function scalarOf(typeName: string, where: string): WireScalar {
  if (!SCALARS.has(typeName)) throw new Error(`schema: ${where} has scalar type ${typeName}, which the protobuf encoder does not write`);
  return typeName as WireScalar;
}

function compileField(messageName: string, f: FieldSchema): WireField {
  const where = `${messageName}.${f.name}`;
  const shape = f.mapKey !== undefined ? 'map' : f.repeated ? 'repeated' : 'singular';
  // Enums never occur in the Kubernetes API (its enums are strings); they would be int32 on the wire.
  const scalar = f.kind === 'message' ? undefined : f.kind === 'enum' ? 'int32' : scalarOf(f.type, where);
  const mapKey = f.mapKey !== undefined ? scalarOf(f.mapKey, `${where} (map key)`) : undefined;
  const presence: WirePresence = f.nullable || scalar === 'bytes' ? 'ifSet' : 'always';
  const wireType = shape === 'map' ? WIRE_LENGTH_DELIMITED : wireTypeOf(scalar);
  let cached: WirePlan | undefined;
  return {
    number: f.number,
    prop: f.prop,
    key: fieldKey(f.number, wireType),
    shape,
    presence,
    scalar,
    mapKey,
    entryKeys: mapKey !== undefined ? [fieldKey(1, wireTypeOf(mapKey)), fieldKey(2, wireTypeOf(scalar))] : undefined,
    message(): WirePlan {
      cached ??= getWirePlan(f.type);
      return cached;
    },
  };
}

const plans = new Map<string, WirePlan>();

/** The write plan of a message; throws UnknownMessageError when the schema lacks it. */
export function getWirePlan(typeName: string): WirePlan {
  let plan = plans.get(typeName);
  if (!plan) {
    const { schema } = getMessagePlan(typeName);
    const fields = schema.fields.map((f) => compileField(schema.fullName, f)).sort((a, b) => a.number - b.number);
    plan = { fullName: schema.fullName, fields, special: SPECIALS[schema.fullName] };
    plans.set(typeName, plan);
  }
  return plan;
}
