/**
 * ts-proto message -> protobuf bytes exactly as upstream's gogo-generated
 * `Marshal` writes them: fields in ascending field-number order, map entries
 * sorted by key (Go's sort.Strings: byte order), Go's presence rules (see
 * wire-plan.ts), and the hand-written Marshal of Time, MicroTime and Quantity.
 * Equal objects therefore always encode to equal bytes, and an object that
 * kube-apiserver wrote re-encodes to the bytes it wrote.
 *
 * Two passes over the message: the first computes every length prefix (in
 * visiting order) and sorts map keys, the second writes into one buffer of the
 * exact size.
 */
import { Buffer } from 'node:buffer';
import { canonicalizeQuantity, QuantityParseError } from './quantity.js';
import { getWirePlan, type WireField, type WirePlan, type WireScalar } from './wire-plan.js';

type Message = Record<string, unknown>;

const EMPTY: Message = Object.freeze({}) as Message;

/** Go's zero time.Time in Unix seconds (0001-01-01T00:00:00Z): marshals to nothing. */
const GO_ZERO_TIME_SECONDS = -62135596800;

/** Timestamp's keys: seconds = 1 (varint), nanos = 2 (varint). */
const SECONDS_KEY = 0x08;
const NANOS_KEY = 0x10;
/** Quantity's only field: string = 1 (length-delimited). */
const QUANTITY_KEY = 0x0a;

/** What the sizing pass hands to the writing pass, consumed in the same order. */
interface Pass {
  /** Byte lengths of length-delimited payloads (messages, map entries, strings) in visiting order. */
  lengths: number[];
  /** Sorted keys of each non-empty map, in visiting order. */
  keys: string[][];
  /** Quantity strings as Go's String() gives them, in visiting order. */
  quantities: string[];
  li: number;
  ki: number;
  qi: number;
}

/** Go's sort.Strings order: byte-wise on UTF-8, which is code-point order. */
function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function varintSize(v: number): number {
  if (v < 0) return 10; // negative int32/int64: sign-extended to 64 bits
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function timeParts(plan: WirePlan, msg: Message): [number, number] | undefined {
  const seconds = (msg.seconds as number | undefined | null) ?? undefined;
  const nanos = (msg.nanos as number | undefined | null) ?? 0;
  if (seconds === undefined || (seconds === GO_ZERO_TIME_SECONDS && nanos === 0)) return undefined;
  // Time marshals whole seconds (nanos always 0); MicroTime truncates to microseconds.
  return [seconds, plan.special === 'microTime' ? nanos - (nanos % 1000) : 0];
}

function quantityString(msg: Message): string {
  const text = msg.string as string | undefined | null;
  if (text === undefined || text === null || text === '') return '0';
  try {
    return canonicalizeQuantity(text);
  } catch (err) {
    if (err instanceof QuantityParseError) return text;
    throw err;
  }
}

// ---- sizing pass ----

function scalarSize(scalar: WireScalar, value: unknown, pass: Pass): number {
  switch (scalar) {
    case 'string': {
      const n = Buffer.byteLength((value as string | null) ?? '', 'utf8');
      pass.lengths.push(n);
      return varintSize(n) + n;
    }
    case 'bytes': {
      const n = (value as Uint8Array | null)?.byteLength ?? 0;
      return varintSize(n) + n;
    }
    case 'bool':
      return 1;
    case 'double':
      return 8;
    case 'float':
      return 4;
    default:
      return varintSize((value as number | null) ?? 0);
  }
}

function nestedSize(plan: WirePlan, msg: Message, pass: Pass): number {
  const at = pass.lengths.length;
  pass.lengths.push(0);
  const n = messageSize(plan, msg, pass);
  pass.lengths[at] = n;
  return varintSize(n) + n;
}

function elementSize(f: WireField, value: unknown, pass: Pass): number {
  return f.scalar === undefined ? nestedSize(f.message(), (value as Message | null) ?? EMPTY, pass) : scalarSize(f.scalar, value, pass);
}

function messageSize(plan: WirePlan, msg: Message, pass: Pass): number {
  if (plan.special === 'time' || plan.special === 'microTime') {
    const parts = timeParts(plan, msg);
    return parts ? 2 + varintSize(parts[0]) + varintSize(parts[1]) : 0;
  }
  if (plan.special === 'quantity') {
    const text = quantityString(msg);
    pass.quantities.push(text);
    const n = Buffer.byteLength(text, 'utf8');
    return 1 + varintSize(n) + n;
  }
  let size = 0;
  for (const f of plan.fields) {
    const value = msg[f.prop];
    if (f.shape === 'singular') {
      if (value === undefined || value === null) {
        if (f.presence === 'ifSet') continue;
      }
      size += f.key.length + elementSize(f, value, pass);
    } else if (f.shape === 'repeated') {
      const list = value as unknown[] | undefined | null;
      if (!list || list.length === 0) continue;
      for (const item of list) size += f.key.length + elementSize(f, item, pass);
    } else {
      const map = value as Message | undefined | null;
      if (!map) continue;
      const keys = Object.keys(map);
      if (keys.length === 0) continue;
      keys.sort(compareGoStrings);
      pass.keys.push(keys);
      const [keyKey, valueKey] = f.entryKeys!;
      for (const k of keys) {
        const at = pass.lengths.length;
        pass.lengths.push(0);
        let n = keyKey.length + scalarSize(f.mapKey!, k, pass);
        const v = map[k];
        if (!(f.presence === 'ifSet' && (v === undefined || v === null))) n += valueKey.length + elementSize(f, v, pass);
        pass.lengths[at] = n;
        size += f.key.length + varintSize(n) + n;
      }
    }
  }
  return size;
}

// ---- writing pass ----

class Writer {
  readonly buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.byteLength;
  }

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  varint(v: number): void {
    if (v < 0) {
      let big = BigInt.asUintN(64, BigInt(v));
      for (let i = 0; i < 9; i++) {
        this.buf[this.pos++] = Number(big & 0x7fn) | 0x80;
        big >>= 7n;
      }
      this.buf[this.pos++] = Number(big);
      return;
    }
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
}

function writeScalar(w: Writer, scalar: WireScalar, value: unknown, pass: Pass): void {
  switch (scalar) {
    case 'string': {
      const n = pass.lengths[pass.li++]!;
      w.varint(n);
      if (n > 0) w.pos += w.buf.write(value as string, w.pos, n, 'utf8');
      return;
    }
    case 'bytes': {
      const b = (value as Uint8Array | null) ?? new Uint8Array(0);
      w.varint(b.byteLength);
      w.bytes(b);
      return;
    }
    case 'bool':
      w.byte(value ? 1 : 0);
      return;
    case 'double':
      w.pos = w.buf.writeDoubleLE((value as number | null) ?? 0, w.pos);
      return;
    case 'float':
      w.pos = w.buf.writeFloatLE((value as number | null) ?? 0, w.pos);
      return;
    default:
      w.varint((value as number | null) ?? 0);
  }
}

function writeNested(w: Writer, plan: WirePlan, msg: Message, pass: Pass): void {
  w.varint(pass.lengths[pass.li++]!);
  writeMessage(w, plan, msg, pass);
}

function writeElement(w: Writer, f: WireField, value: unknown, pass: Pass): void {
  if (f.scalar === undefined) writeNested(w, f.message(), (value as Message | null) ?? EMPTY, pass);
  else writeScalar(w, f.scalar, value, pass);
}

function writeMessage(w: Writer, plan: WirePlan, msg: Message, pass: Pass): void {
  if (plan.special === 'time' || plan.special === 'microTime') {
    const parts = timeParts(plan, msg);
    if (!parts) return;
    w.byte(SECONDS_KEY);
    w.varint(parts[0]);
    w.byte(NANOS_KEY);
    w.varint(parts[1]);
    return;
  }
  if (plan.special === 'quantity') {
    const text = pass.quantities[pass.qi++]!;
    w.byte(QUANTITY_KEY);
    w.varint(Buffer.byteLength(text, 'utf8'));
    w.pos += w.buf.write(text, w.pos, 'utf8');
    return;
  }
  for (const f of plan.fields) {
    const value = msg[f.prop];
    if (f.shape === 'singular') {
      if ((value === undefined || value === null) && f.presence === 'ifSet') continue;
      w.bytes(f.key);
      writeElement(w, f, value, pass);
    } else if (f.shape === 'repeated') {
      const list = value as unknown[] | undefined | null;
      if (!list || list.length === 0) continue;
      for (const item of list) {
        w.bytes(f.key);
        writeElement(w, f, item, pass);
      }
    } else {
      const map = value as Message | undefined | null;
      if (!map || Object.keys(map).length === 0) continue;
      const keys = pass.keys[pass.ki++]!;
      const [keyKey, valueKey] = f.entryKeys!;
      for (const k of keys) {
        w.bytes(f.key);
        w.varint(pass.lengths[pass.li++]!);
        w.bytes(keyKey);
        writeScalar(w, f.mapKey!, k, pass);
        const v = map[k];
        if (f.presence === 'ifSet' && (v === undefined || v === null)) continue;
        w.bytes(valueKey);
        writeElement(w, f, v, pass);
      }
    }
  }
}

/**
 * Encodes a ts-proto message of `typeName` (no envelope) as upstream's generated
 * Marshal would encode the same Go object. Unset non-pointer fields are written
 * as their zero value, as Go holds them. Throws UnknownMessageError for an unknown type.
 */
export function encodeWireMessage(typeName: string, message: object): Uint8Array {
  const plan = getWirePlan(typeName);
  const pass: Pass = { lengths: [], keys: [], quantities: [], li: 0, ki: 0, qi: 0 };
  const msg = message as Message;
  const w = new Writer(messageSize(plan, msg, pass));
  writeMessage(w, plan, msg, pass);
  if (w.pos !== w.buf.length) throw new Error(`protobuf encoder wrote ${w.pos} bytes of ${w.buf.length} for ${typeName}`);
  return w.buf;
}

/** The byte length `encodeWireMessage(typeName, message)` would return, without writing anything. */
export function wireMessageSize(typeName: string, message: object): number {
  const pass: Pass = { lengths: [], keys: [], quantities: [], li: 0, ki: 0, qi: 0 };
  return messageSize(getWirePlan(typeName), message as Message, pass);
}

/** A non-negative integer as a protobuf varint. */
export function varintBytes(n: number): Uint8Array {
  const out = new Uint8Array(varintSize(n));
  let v = n;
  for (let i = 0; i < out.length - 1; i++) {
    out[i] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  out[out.length - 1] = v;
  return out;
}

/**
 * The key bytes of `typeName`'s repeated message field `prop` when it has the highest field
 * number, so that the message's bytes are those of its other fields followed by one record
 * per element: what lets a list be written element by element. Undefined otherwise.
 */
export function trailingRepeatedKey(typeName: string, prop: string): Uint8Array | undefined {
  const plan = getWirePlan(typeName);
  const last = plan.fields[plan.fields.length - 1];
  if (plan.special || !last || last.prop !== prop || last.shape !== 'repeated' || last.scalar !== undefined) return undefined;
  return last.key;
}
