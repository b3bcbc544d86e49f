/**
 * ts-proto message <-> Kubernetes JSON for the snapshots controllers keep in ControllerRevisions,
 * driven by the generated schema tables. Encoding follows Go's encoding/json over the upstream
 * struct as the server does: unset fields, empty lists and maps are omitted, an omitempty scalar
 * holding its zero value is omitted, a pointer field keeps a set zero; map keys are sorted.
 * Special types (Time, Quantity, IntOrString, RawExtension, ...) use their Kubernetes JSON form.
 */
import { Buffer } from 'node:buffer';
import { messageSchemas } from '../../../../gen/schema/schema.js';
import type { FieldSchema, MessageSchema } from '../../../../gen/schema/types.js';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

function schemaOf(typeName: string): MessageSchema {
  const schema = messageSchemas[typeName];
  if (!schema) throw new Error(`kube-json: unknown message ${typeName}`);
  return schema;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** RFC 3339 in UTC, with fractional seconds only when `micro` (metav1.MicroTime). */
function formatInstant(seconds: number, nanos: number, micro: boolean): string {
  const d = new Date(seconds * 1000);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return micro ? `${base}.${pad(Math.floor(nanos / 1000), 6)}Z` : `${base}Z`;
}

function parseInstant(text: string): { seconds: number; nanos: number } {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`kube-json: bad time ${JSON.stringify(text)}`);
  const frac = /\.(\d+)/.exec(text)?.[1] ?? '';
  return { seconds: Math.floor(ms / 1000), nanos: Number((frac + '000000000').slice(0, 9)) };
}

type Special = { toJson(m: Record<string, unknown>): Json | undefined; fromJson(v: Json): Record<string, unknown> };

const rawJson = (prop: string): Special => ({
  toJson(m) {
    const raw = m[prop] as Uint8Array | undefined;
    if (!raw || raw.length === 0) return undefined;
    return JSON.parse(Buffer.from(raw).toString('utf8')) as Json;
  },
  fromJson: (v) => ({ [prop]: Buffer.from(JSON.stringify(v), 'utf8') }),
});

const time = (micro: boolean): Special => ({
  toJson(m) {
    const seconds = m.seconds as number | undefined;
    if (seconds === undefined || seconds === -62135596800) return undefined;
    return formatInstant(seconds, (m.nanos as number | undefined) ?? 0, micro);
  },
  fromJson: (v) => parseInstant(String(v)),
});

const SPECIALS: Record<string, Special> = {
  [`${META}.Time`]: time(false),
  [`${META}.MicroTime`]: time(true),
  [`${META}.FieldsV1`]: rawJson('Raw'),
  'k8s.io.apimachinery.pkg.runtime.RawExtension': rawJson('raw'),
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': {
    toJson: (m) => (m.type === 1 ? ((m.strVal as string | undefined) ?? '') : ((m.intVal as number | undefined) ?? 0)),
    fromJson: (v) => (typeof v === 'string' ? { type: 1, intVal: 0, strVal: v } : { type: 0, intVal: Number(v), strVal: '' }),
  },
  'k8s.io.apimachinery.pkg.api.resource.Quantity': {
    toJson: (m) => ((m.string as string | undefined) || '0'),
    fromJson: (v) => ({ string: String(v) }),
  },
  [`${META}.Duration`]: {
    // Durations do not occur in the snapshots controllers take; kept as nanoseconds.
    toJson: (m) => `${((m.duration as number | undefined) ?? 0) / 1e9}s`,
    fromJson: (v) => ({ duration: Number.parseFloat(String(v)) * 1e9 }),
  },
};

function isZeroScalar(type: string, value: unknown): boolean {
  if (type === 'bytes') return (value as Uint8Array).length === 0;
  return value === '' || value === 0 || value === false;
}

function scalarToJson(type: string, value: unknown): Json {
  if (type === 'bytes') return Buffer.from(value as Uint8Array).toString('base64');
  return value as Json;
}

function elementToJson(f: FieldSchema, value: unknown): Json {
  if (value === undefined || value === null) return null;
  if (f.kind === 'message') return messageToJson(f.type, value as Record<string, unknown>) ?? null;
  return scalarToJson(f.type, value);
}

function messageToJson(typeName: string, message: Record<string, unknown>): Json | undefined {
  const special = SPECIALS[typeName];
  if (special) return special.toJson(message);
  const out: { [key: string]: Json } = {};
  writeFields(schemaOf(typeName), message, out);
  return out;
}

function writeFields(schema: MessageSchema, message: Record<string, unknown>, out: { [key: string]: Json }): void {
  for (const f of schema.fields) {
    const value = message[f.prop];
    if (value === undefined || value === null) {
      if (f.emitEmpty && !f.nullable && f.kind === 'scalar' && !f.repeated && f.mapKey === undefined) {
        out[f.json] = f.type === 'string' ? '' : f.type === 'bool' ? false : 0;
      }
      continue;
    }
    if (f.mapKey !== undefined) {
      const keys = Object.keys(value as object).sort();
      if (keys.length === 0) continue;
      const obj: { [key: string]: Json } = {};
      for (const key of keys) obj[key] = elementToJson(f, (value as Record<string, unknown>)[key]);
      out[f.json] = obj;
    } else if (f.repeated) {
      const list = value as unknown[];
      if (list.length > 0) out[f.json] = list.map((v) => elementToJson(f, v));
    } else if (f.kind === 'message') {
      if (f.inline && !SPECIALS[f.type]) {
        writeFields(schemaOf(f.type), value as Record<string, unknown>, out);
        continue;
      }
      const encoded = messageToJson(f.type, value as Record<string, unknown>);
      if (encoded !== undefined) out[f.json] = encoded;
    } else {
      if (!f.nullable && !f.emitEmpty && isZeroScalar(f.type, value)) continue;
      out[f.json] = scalarToJson(f.type, value);
    }
  }
}

/** The Kubernetes JSON form of a ts-proto message of `typeName` (a full protobuf name). */
export function toKubeJson(typeName: string, message: object): { [key: string]: Json } {
  return (messageToJson(typeName, message as Record<string, unknown>) ?? {}) as { [key: string]: Json };
}

function elementFromJson(f: FieldSchema, value: Json): unknown {
  if (value === null) return undefined;
  if (f.kind === 'message') return messageFromJson(f.type, value);
  if (f.type === 'bytes') return Buffer.from(String(value), 'base64');
  return value;
}

function messageFromJson(typeName: string, value: Json): Record<string, unknown> {
  const special = SPECIALS[typeName];
  if (special) return special.fromJson(value);
  const out: Record<string, unknown> = {};
  readFields(schemaOf(typeName), value as { [key: string]: Json }, out);
  return out;
}

function readFields(schema: MessageSchema, json: { [key: string]: Json }, out: Record<string, unknown>): void {
  for (const f of schema.fields) {
    if (f.inline && f.kind === 'message' && !SPECIALS[f.type]) {
      const sub: Record<string, unknown> = {};
      readFields(schemaOf(f.type), json, sub);
      out[f.prop] = sub;
      continue;
    }
    const value = json[f.json];
    if (value === undefined || value === null) continue;
    if (f.mapKey !== undefined) {
      const obj: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as { [key: string]: Json })) obj[k] = elementFromJson(f, v);
      out[f.prop] = obj;
    } else if (f.repeated) {
      out[f.prop] = (value as Json[]).map((v) => elementFromJson(f, v));
    } else {
      out[f.prop] = elementFromJson(f, value);
    }
  }
}

/**
 * The ts-proto shape (a DeepPartial; pass it to the message's `fromPartial`) of Kubernetes JSON
 * of `typeName`. Unknown keys (such as a strategic-merge `$patch` directive) are ignored.
 */
export function fromKubeJson(typeName: string, json: { [key: string]: Json }): Record<string, unknown> {
  return messageFromJson(typeName, json);
}

/** JSON text with object keys sorted at every level, as Go marshals a map[string]interface{}. */
export function sortedJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson(value[k] as Json)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
