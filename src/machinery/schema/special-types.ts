/**
 * Messages whose Kubernetes JSON form is not an object of their fields: times,
 * durations, int-or-string, quantities, embedded raw JSON and named string lists. One table for
 * the codec and for OpenAPI, so the two never disagree about a special type.
 */
import { Buffer } from 'node:buffer';
import { formatGoDuration, parseGoDuration } from './go-duration.js';
import { describeJsonValue, type JsonValue } from './json.js';
import { canonicalizeQuantity, QUANTITY_FORMAT_MESSAGE, QuantityParseError } from './quantity.js';
import { formatMicroTime, formatTime, parseRfc3339 } from './time-format.js';

/** Reports a value that does not fit; `goType` overrides the Go type named in the error. */
export type FailFn = (value: unknown, goType?: string, detail?: string) => never;

/** How OpenAPI publishes a special message: as a component with a fixed schema, or written inline at each use. */
export type SpecialOpenApi = { readonly component: Readonly<Record<string, unknown>> } | { readonly inline: Readonly<Record<string, unknown>> };

/** JSON <-> ts-proto conversion for one special message type, and its published schema. */
export interface SpecialCodec {
  /** Converts a non-null JSON value into the ts-proto message. */
  fromJson(value: JsonValue, fail: FailFn): Record<string, unknown>;
  /** The JSON form, or undefined to omit the field. */
  toJson(message: Record<string, unknown>): JsonValue | undefined;
  /** Its OpenAPI schema, as upstream publishes it. */
  readonly openapi: SpecialOpenApi;
}

const DATE_TIME: SpecialOpenApi = { component: { type: 'string', format: 'date-time' } };
const OPEN_OBJECT: SpecialOpenApi = { component: { type: 'object' } };

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** Go's zero time.Time in Unix seconds (0001-01-01T00:00:00Z). */
const GO_ZERO_TIME_SECONDS = -62135596800;

function isZeroTime(message: Record<string, unknown>): boolean {
  const seconds = message.seconds as number | undefined;
  return seconds === undefined || seconds === null || seconds === GO_ZERO_TIME_SECONDS;
}

function timeCodec(format: (seconds: number, nanos: number) => string): SpecialCodec {
  return {
    openapi: DATE_TIME,
    fromJson(value, fail) {
      if (typeof value !== 'string') return fail(value, 'string');
      const instant = parseRfc3339(value);
      if (!instant) {
        return fail(value, undefined, `parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
      }
      return { seconds: instant.seconds, nanos: instant.nanos };
    },
    toJson(message) {
      if (isZeroTime(message)) return undefined;
      return format(message.seconds as number, (message.nanos as number | undefined) ?? 0);
    },
  };
}

/** Embedded JSON kept as bytes (RawExtension.raw, FieldsV1.Raw). */
function rawJsonCodec(prop: string): SpecialCodec {
  return {
    openapi: OPEN_OBJECT,
    fromJson(value) {
      return { [prop]: Buffer.from(JSON.stringify(value), 'utf8') };
    },
    toJson(message) {
      const raw = message[prop] as Uint8Array | undefined;
      if (!raw || raw.length === 0) return undefined;
      const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
      try {
        return JSON.parse(text) as JsonValue;
      } catch {
        throw new Error(`schema: embedded object is not JSON (${raw.length} bytes); protobuf-encoded embedded objects are not supported`);
      }
    },
  };
}

/** A Go named `[]string` (meta/v1 Verbs, certificates/v1 ExtraValue): a message of `items` whose JSON is the list. */
function stringListCodec(goType: string): SpecialCodec {
  return {
    openapi: { inline: { type: 'array', items: { type: 'string' } } },
    fromJson(value, fail) {
      if (!Array.isArray(value)) return fail(value, goType);
      const items = value.map((v) => (typeof v === 'string' ? v : fail(v, 'string')));
      return { items };
    },
    toJson(message) {
      return [...((message.items as string[] | undefined) ?? [])];
    },
  };
}

const specials = new Map<string, SpecialCodec>([
  [`${META}.Time`, timeCodec((s) => formatTime(s))],
  [`${META}.MicroTime`, timeCodec(formatMicroTime)],
  [
    `${META}.Duration`,
    {
      openapi: { component: { type: 'string' } },
      fromJson(value, fail) {
        if (typeof value !== 'string') return fail(value, 'string');
        const ns = parseGoDuration(value);
        if (ns === undefined) return fail(value, undefined, `time: invalid duration ${JSON.stringify(value)}`);
        return { duration: ns };
      },
      toJson(message) {
        return formatGoDuration((message.duration as number | undefined) ?? 0);
      },
    },
  ],
  [`${META}.FieldsV1`, rawJsonCodec('Raw')],
  [`${META}.Verbs`, stringListCodec('v1.Verbs')],
  ['k8s.io.api.certificates.v1.ExtraValue', stringListCodec('v1.ExtraValue')],
  ['k8s.io.api.authentication.v1.ExtraValue', stringListCodec('v1.ExtraValue')],
  ['k8s.io.api.authorization.v1.ExtraValue', stringListCodec('v1.ExtraValue')],
  ['k8s.io.apimachinery.pkg.runtime.RawExtension', rawJsonCodec('raw')],
  [
    'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
    {
      openapi: { component: { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true } },
      fromJson(value, fail) {
        if (typeof value === 'string') return { type: 1, intVal: 0, strVal: value };
        if (typeof value === 'number') {
          if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647) return fail(value, 'int32');
          return { type: 0, intVal: value, strVal: '' };
        }
        return fail(value, 'intstr.IntOrString');
      },
      toJson(message) {
        if (message.type === 1) return (message.strVal as string | undefined) ?? '';
        return (message.intVal as number | undefined) ?? 0;
      },
    },
  ],
  [
    'k8s.io.apimachinery.pkg.api.resource.Quantity',
    {
      openapi: { component: { oneOf: [{ type: 'string' }, { type: 'number' }], 'x-kubernetes-int-or-string': true } },
      fromJson(value, fail) {
        // Go hands the raw JSON text (a string's content, or a number) to the quantity parser.
        const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
        if (text === undefined) return fail(value, 'resource.Quantity', QUANTITY_FORMAT_MESSAGE);
        try {
          return { string: canonicalizeQuantity(text) };
        } catch (err) {
          if (err instanceof QuantityParseError) return fail(value, 'resource.Quantity', err.message);
          throw err;
        }
      },
      toJson(message) {
        const text = message.string as string | undefined;
        if (text === undefined || text === '') return '0';
        try {
          return canonicalizeQuantity(text);
        } catch (err) {
          // Stored text that does not parse (protobuf written by a foreign client) is shown as is.
          if (err instanceof QuantityParseError) return text;
          throw err;
        }
      },
    },
  ],
]);

/** The special codec for a message full name, if it has one. */
export function specialCodecFor(typeName: string): SpecialCodec | undefined {
  return specials.get(typeName);
}

/** Go's wording for a JSON value in an error (numbers include their text). */
export function describeForError(value: unknown): string {
  const kind = describeJsonValue(value);
  return kind === 'number' ? `number ${String(value)}` : kind;
}
