/**
 * Per-message field tables, compiled once from gen/schema and cached: the codec
 * never walks descriptors on the request path.
 */
import type { FieldSchema, MessageSchema } from '../../../gen/schema/types.js';
import { messageSchemas } from '../../../gen/schema/schema.js';
import { UnknownMessageError } from './errors.js';
import { specialCodecFor, type SpecialCodec } from './special-types.js';

/** A field with what the codec needs precomputed. */
export interface FieldPlan {
  readonly schema: FieldSchema;
  /** ts-proto property name. */
  readonly prop: string;
  /** Kubernetes JSON key. */
  readonly json: string;
  readonly isMap: boolean;
  readonly repeated: boolean;
  readonly isMessage: boolean;
  /** Go type name for error messages, e.g. "int32", "[]v1.Container", "map[string]string". */
  readonly goType: string;
  /** Go type of one element (repeated) or value (map); same as goType for singular fields. */
  readonly goElemType: string;
  /** The message plan of a message-typed field (element/value type for repeated/map). */
  message(): MessagePlan;
}

/** A message: ordered fields, a JSON-key lookup that sees through inline fields. */
export interface MessagePlan {
  readonly schema: MessageSchema;
  readonly fullName: string;
  /** Go struct name ("DeploymentSpec"), used in error messages. */
  readonly goName: string;
  /** Go type ("v1.DeploymentSpec"). */
  readonly goType: string;
  /** Fields in declaration order. */
  readonly fields: readonly FieldPlan[];
  /** Set for messages with a non-object JSON form (Time, IntOrString, Quantity, ...). */
  readonly special: SpecialCodec | undefined;
  /**
   * JSON key -> the chain of fields to reach it: zero or more inline message
   * fields followed by the field that holds the value.
   */
  readonly byJson: ReadonlyMap<string, readonly FieldPlan[]>;
  /** A new empty message in ts-proto shape (repeated fields [], maps {}). */
  create(): Record<string, unknown>;
}

const plans = new Map<string, MessagePlan>();

const GO_SCALARS: Record<string, string> = {
  double: 'float64',
  float: 'float32',
  int64: 'int64',
  sint64: 'int64',
  sfixed64: 'int64',
  uint64: 'uint64',
  fixed64: 'uint64',
  int32: 'int32',
  sint32: 'int32',
  sfixed32: 'int32',
  uint32: 'uint32',
  fixed32: 'uint32',
  bool: 'bool',
  string: 'string',
  bytes: '[]uint8',
};

function goTypeOfMessage(fullName: string): string {
  const parts = fullName.split('.');
  const name = parts[parts.length - 1] ?? fullName;
  const pkg = parts[parts.length - 2] ?? '';
  return pkg ? `${pkg}.${name}` : name;
}

function elementGoType(f: FieldSchema): string {
  if (f.kind === 'message') return goTypeOfMessage(f.type);
  if (f.kind === 'enum') return 'int32';
  return GO_SCALARS[f.type] ?? f.type;
}

function compileField(f: FieldSchema): FieldPlan {
  const elem = elementGoType(f);
  const isMap = f.mapKey !== undefined;
  let cached: MessagePlan | undefined;
  return {
    schema: f,
    prop: f.prop,
    json: f.json,
    isMap,
    repeated: f.repeated,
    isMessage: f.kind === 'message',
    goType: isMap ? `map[${GO_SCALARS[f.mapKey ?? 'string'] ?? 'string'}]${elem}` : f.repeated ? `[]${elem}` : elem,
    goElemType: elem,
    message(): MessagePlan {
      cached ??= getMessagePlan(f.type);
      return cached;
    },
  };
}

function compileMessage(schema: MessageSchema): MessagePlan {
  const fields = schema.fields.map(compileField);
  const collections: Array<[string, 'list' | 'map']> = [];
  for (const f of fields) {
    if (f.isMap) collections.push([f.prop, 'map']);
    else if (f.repeated) collections.push([f.prop, 'list']);
  }
  let byJson: Map<string, readonly FieldPlan[]> | undefined;
  const plan: MessagePlan = {
    schema,
    fullName: schema.fullName,
    goName: schema.fullName.slice(schema.fullName.lastIndexOf('.') + 1),
    goType: goTypeOfMessage(schema.fullName),
    fields,
    special: specialCodecFor(schema.fullName),
    // Built on first use so that mutually recursive messages compile lazily.
    get byJson(): ReadonlyMap<string, readonly FieldPlan[]> {
      if (!byJson) {
        byJson = new Map();
        // Promoted members of inline fields first; the message's own fields win.
        for (const f of fields) {
          if (!f.schema.inline || !f.isMessage || f.repeated || f.isMap) continue;
          for (const [key, chain] of f.message().byJson) {
            if (!byJson.has(key)) byJson.set(key, [f, ...chain]);
          }
        }
        for (const f of fields) {
          if (f.schema.inline && f.isMessage && !f.repeated && !f.isMap) continue;
          byJson.set(f.json, [f]);
        }
      }
      return byJson;
    },
    create(): Record<string, unknown> {
      const msg: Record<string, unknown> = {};
      for (const [prop, kind] of collections) msg[prop] = kind === 'list' ? [] : {};
      return msg;
    },
  };
  return plan;
}

/** The compiled plan of a message; throws UnknownMessageError when the schema lacks it. */
export function getMessagePlan(typeName: string): MessagePlan {
  let plan = plans.get(typeName);
  if (!plan) {
    const schema = messageSchemas[typeName];
    if (!schema) throw new UnknownMessageError(typeName);
    plan = compileMessage(schema);
    plans.set(typeName, plan);
  }
  return plan;
}

/** True when the schema has a message with this full name. */
export function hasMessage(typeName: string): boolean {
  return Object.prototype.hasOwnProperty.call(messageSchemas, typeName);
}
