/**
 * Field errors, as k8s.io/apimachinery/pkg/util/validation/field: each renders as
 * `field: Type: detail` and becomes a StatusCause of a 422 Invalid.
 */
import type { StatusCause } from '../errors/status.js';

/** The kinds of field error and their upstream cause reasons. */
export type FieldErrorType = 'Required' | 'Invalid' | 'Forbidden' | 'Duplicate' | 'NotSupported' | 'TooLong';

const REASONS: Record<FieldErrorType, string> = {
  Required: 'FieldValueRequired',
  Invalid: 'FieldValueInvalid',
  Forbidden: 'FieldValueForbidden',
  Duplicate: 'FieldValueDuplicate',
  NotSupported: 'FieldValueNotSupported',
  TooLong: 'FieldValueTooLong',
};

/** One validation failure at a field path. */
export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail: string;
}

/**
 * The Go type a value has in upstream's validation code, so that it renders as upstream's
 * field errors render it (apimachinery 1.33 field.Error.ErrorBody: `%v` for numbers and
 * bools, `%q` for strings, `"null"` for nil, Go's `%#v` for everything else).
 */
export type GoType =
  | { kind: 'string' }
  | { kind: 'int' }
  | { kind: 'bool' }
  | { kind: 'slice'; name: string; elem: GoType }
  | { kind: 'map'; name: string; elem: GoType }
  | { kind: 'struct'; name: string; fields: Array<[goName: string, jsonName: string, type: GoType]> }
  /** A pointer `%#v` prints as `(*T)(nil)` when nil; a set one prints its address, so only nil ones are declared. */
  | { kind: 'ptr'; name: string };

const GO_VALUE = Symbol('goValue');

/** A value tagged with its upstream Go type (see goValue). */
export interface GoValue {
  readonly [GO_VALUE]: true;
  readonly type: GoType;
  readonly value: unknown;
}

/** Tags a JSON value with the Go type upstream's validator holds it in (undefined/null is Go's nil). */
export function goValue(type: GoType, value: unknown): GoValue {
  return { [GO_VALUE]: true, type, value };
}

function isGoValue(v: unknown): v is GoValue {
  return typeof v === 'object' && v !== null && (v as Partial<GoValue>)[GO_VALUE] === true;
}

export const GO_STRING: GoType = { kind: 'string' };
export const GO_INT: GoType = { kind: 'int' };
export const GO_BOOL: GoType = { kind: 'bool' };
/** `[]T` of a string type: `[]string`, or a named one such as `core.ResourceQuotaScope`. */
export const goStringSlice = (elemName = 'string'): GoType => ({ kind: 'slice', name: `[]${elemName}`, elem: GO_STRING });
export const GO_STRING_SLICE = goStringSlice();
export const GO_STRING_MAP: GoType = { kind: 'map', name: 'map[string]string', elem: GO_STRING };

/** metav1.LabelSelectorRequirement and metav1.LabelSelector, as `%#v` names them (package `v1`). */
const LABEL_SELECTOR_REQUIREMENT: GoType = {
  kind: 'struct',
  name: 'v1.LabelSelectorRequirement',
  fields: [
    ['Key', 'key', GO_STRING],
    ['Operator', 'operator', GO_STRING],
    ['Values', 'values', GO_STRING_SLICE],
  ],
};
export const GO_LABEL_SELECTOR: GoType = {
  kind: 'struct',
  name: 'v1.LabelSelector',
  fields: [
    ['MatchLabels', 'matchLabels', GO_STRING_MAP],
    ['MatchExpressions', 'matchExpressions', { kind: 'slice', name: '[]v1.LabelSelectorRequirement', elem: LABEL_SELECTOR_REQUIREMENT }],
  ],
};

const GO_INT_OR_STRING: GoType = {
  kind: 'struct',
  name: 'intstr.IntOrString',
  fields: [
    ['Type', 'type', GO_INT],
    ['IntVal', 'intVal', GO_INT],
    ['StrVal', 'strVal', GO_STRING],
  ],
};

/** core.ServicePort, as upstream's duplicate-port errors print the (protocol, port) key they hold. */
export const GO_SERVICE_PORT: GoType = {
  kind: 'struct',
  name: 'core.ServicePort',
  fields: [
    ['Name', 'name', GO_STRING],
    ['Protocol', 'protocol', GO_STRING],
    ['AppProtocol', 'appProtocol', { kind: 'ptr', name: '*string' }],
    ['Port', 'port', GO_INT],
    ['TargetPort', 'targetPort', GO_INT_OR_STRING],
    ['NodePort', 'nodePort', GO_INT],
  ],
};

/** An int-or-string JSON value as upstream's error values hold it (an intstr.IntOrString, passed by value). */
export function intOrStringValue(value: unknown): GoValue {
  const held = typeof value === 'string' ? { type: 1, intVal: 0, strVal: value } : { type: 0, intVal: typeof value === 'number' ? value : 0, strVal: '' };
  return goValue(GO_INT_OR_STRING, held);
}

/** Go's `%q` of a string: escapes for quotes, backslashes and unprintable characters. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Go's `%#v` of a JSON value held in a Go type. */
function goSyntax(type: GoType, value: unknown): string {
  switch (type.kind) {
    case 'string':
      return goQuote(typeof value === 'string' ? value : '');
    case 'int':
      return typeof value === 'number' ? String(value) : '0';
    case 'bool':
      return value === true ? 'true' : 'false';
    case 'slice':
      if (!Array.isArray(value)) return `${type.name}(nil)`;
      return `${type.name}{${value.map((v) => goSyntax(type.elem, v)).join(', ')}}`;
    case 'map': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return `${type.name}(nil)`;
      const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => byKey(a, b));
      return `${type.name}{${entries.map(([k, v]) => `${goQuote(k)}:${goSyntax(type.elem, v)}`).join(', ')}}`;
    }
    case 'ptr':
      return `(${type.name})(nil)`;
    case 'struct': {
      const obj = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
      return `${type.name}{${type.fields.map(([goName, jsonName, t]) => `${goName}:${goSyntax(t, obj[jsonName])}`).join(', ')}}`;
    }
  }
}

/** The Go type a plain JSON value most likely has upstream: string slices and string maps; undefined when unknown. */
function inferGoType(value: unknown): GoType | undefined {
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? GO_STRING_SLICE : undefined;
  if (value !== null && typeof value === 'object') return Object.values(value).every((v) => typeof v === 'string') ? GO_STRING_MAP : undefined;
  return undefined;
}

/** A bad value as upstream's ErrorBody renders it. */
export function renderValue(value: unknown): string {
  let type: GoType | undefined;
  let v = value;
  if (isGoValue(value)) {
    type = value.type;
    v = value.value;
  }
  // Nil: a typed nil slice or map prints as Go does; a nil pointer or interface is the quoted string "null".
  if (v === null || v === undefined) return type && (type.kind === 'slice' || type.kind === 'map') ? goSyntax(type, v) : goQuote('null');
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  type ??= inferGoType(v);
  // A value of no known Go type: JSON, as later apimachinery renders every complex value.
  return type ? goSyntax(type, v) : JSON.stringify(v);
}

/** The error body upstream prints after the field name. */
export function fieldErrorBody(e: FieldError): string {
  switch (e.type) {
    case 'Required':
      return `Required value${e.detail ? `: ${e.detail}` : ''}`;
    case 'Forbidden':
      return `Forbidden${e.detail ? `: ${e.detail}` : ''}`;
    case 'Duplicate':
      return `Duplicate value: ${renderValue(e.value)}`;
    case 'NotSupported':
      return `Unsupported value: ${renderValue(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
    case 'TooLong':
      return `Too long: ${e.detail}`;
    case 'Invalid':
      return `Invalid value: ${renderValue(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
  }
}

/** Converts field errors to Status causes. */
export function toCauses(errors: FieldError[]): StatusCause[] {
  return errors.map((e) => ({ reason: REASONS[e.type], message: fieldErrorBody(e), field: e.field }));
}

export const required = (field: string, detail = ''): FieldError => ({ type: 'Required', field, detail });
export const invalidValue = (field: string, value: unknown, detail: string): FieldError => ({
  type: 'Invalid',
  field,
  value,
  detail,
});
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'Forbidden', field, detail });
export const notSupported = (field: string, value: unknown, supported: string[]): FieldError => ({
  type: 'NotSupported',
  field,
  value,
  detail: `supported values: ${supported.map((s) => goQuote(s)).join(', ')}`,
});
