/**
 * Large lists written item by item: the same bytes `encodeBody` writes for the whole list,
 * produced as a sequence of chunks so that a response holds one item (and one chunk) at a
 * time instead of the list's whole encoding.
 *
 * JSON is the list's head keys, then `"items":[`, each item's JSON, `]}`. Protobuf is the
 * `k8s\0` envelope around the list message; its `raw` field and each item are
 * length-delimited, so a first pass sizes every item (converted and measured, nothing
 * written) and a second converts and writes them. Lists below the thresholds keep the
 * whole-buffer path: streaming only pays off once the list is large.
 */
import {
  encodeWireMessage,
  k8sEnvelopeFraming,
  kubeJsonToMessage,
  trailingRepeatedKey,
  varintBytes,
  wireMessageSize,
} from '../../machinery/schema/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { serializedOnce } from '../../machinery/meta/serialized.js';
import type { ItemList } from '../../registry/rest/resource-store.js';
import { PROTOBUF } from '../request/media-type.js';
import { responseMessage, type ResponseKinds } from './encode.js';
import type { ResponseMediaType } from './negotiate.js';

/** Lists with fewer items are encoded whole. */
export const STREAM_MIN_ITEMS = 500;

/** Pieces are gathered into chunks of about this size before they are handed on. */
export const CHUNK_BYTES = 64 * 1024;

/** A body produced in pieces; `length` is its exact size when known before writing. */
export interface ChunkedBody {
  length?: number;
  chunks: Iterable<Uint8Array>;
}

/** Gathers small pieces into chunks of about CHUNK_BYTES. */
class Chunker {
  private pieces: Uint8Array[] = [];
  private size = 0;

  add(piece: Uint8Array): void {
    this.pieces.push(piece);
    this.size += piece.length;
  }

  get full(): boolean {
    return this.size >= CHUNK_BYTES;
  }

  take(): Uint8Array | undefined {
    if (this.size === 0) return undefined;
    const chunk = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.size);
    this.pieces = [];
    this.size = 0;
    return chunk;
  }
}

/** Items `from` … `from + n - 1` as the JSON of an array of them. */
function jsonBatch(list: ItemList, from: number, n: number): Buffer {
  const batch = new Array<KubeObject>(n);
  for (let k = 0; k < n; k++) batch[k] = list.item(from + k);
  return Buffer.from(JSON.stringify(batch), 'utf8');
}

function* jsonChunks(list: ItemList): Generator<Uint8Array> {
  // The head's keys in order, as JSON.stringify writes `{ ...head, items }`; undefined values are left out as it does.
  let open = '{';
  for (const [key, value] of Object.entries(list.head)) {
    if (value === undefined || key === 'items') continue;
    open += `${JSON.stringify(key)}:${JSON.stringify(value)},`;
  }
  yield Buffer.from(`${open}"items":`, 'utf8');
  if (list.count === 0) {
    yield Buffer.from('[]}', 'utf8');
    return;
  }
  if (list.memo) {
    yield* memoJsonItems(list, list.memo);
    return;
  }
  // Items go out in batches of about one chunk: the JSON of a short array of them is their
  // text joined by commas, and JSON.stringify is much cheaper per item over an array than
  // called once each. A later batch's `[` becomes the comma that follows the previous one,
  // every `]` but the last is dropped; only the batch's bytes stay alive while they are written.
  let perBatch = 1;
  for (let i = 0; i < list.count; ) {
    const n = Math.min(perBatch, list.count - i);
    const bytes = jsonBatch(list, i, n);
    if (i > 0) bytes[0] = 0x2c; // ','
    i += n;
    perBatch = Math.max(1, Math.floor((CHUNK_BYTES * n) / bytes.length));
    yield i === list.count ? bytes : bytes.subarray(0, bytes.length - 1);
  }
  yield Buffer.from('}', 'utf8');
}

const OPEN = Buffer.from('[', 'utf8');
const COMMA = Buffer.from(',', 'utf8');
const CLOSE = Buffer.from(']}', 'utf8');

/** The list's variant of its items' bytes: the items of one list kind and version. */
function itemVariant(mediaType: string, list: ItemList): string {
  return `${mediaType} item ${list.head.apiVersion ?? ''} ${list.head.kind ?? ''}`;
}

/**
 * Items whose store keeps their response bytes (the watch cache): each item's JSON is taken
 * from its memo or made once and offered to it, so a list read again costs a copy per item.
 */
function* memoJsonItems(list: ItemList, memoOf: NonNullable<ItemList['memo']>): Generator<Uint8Array> {
  const variant = itemVariant('application/json', list);
  const chunker = new Chunker();
  for (let i = 0; i < list.count; i++) {
    chunker.add(i === 0 ? OPEN : COMMA);
    chunker.add(serializedOnce(memoOf(i), variant, () => Buffer.from(JSON.stringify(list.item(i)), 'utf8')));
    if (chunker.full) yield chunker.take()!;
  }
  chunker.add(CLOSE);
  yield chunker.take()!;
}

function itemMessage(typeName: string, item: KubeObject): object {
  return kubeJsonToMessage(typeName, item).message;
}

/** The protobuf list as chunks, or undefined when the list's message cannot be written in pieces. */
function protobufBody(list: ItemList, served: ResponseKinds): ChunkedBody | undefined {
  const head = list.head as unknown as KubeObject;
  const listType = responseMessage(served, head);
  const itemType = served?.schema.proto?.typeName;
  if (!listType || !itemType || listType !== served?.schema.proto?.listTypeName) return undefined;
  const itemKey = trailingRepeatedKey(listType, 'items');
  if (!itemKey) return undefined;
  const headBytes = encodeWireMessage(listType, kubeJsonToMessage(listType, { ...head, items: [] }).message);
  // Items whose store keeps their bytes: the first pass makes them (or finds them) and
  // offers them to the memo, the second takes them back from it.
  const memoOf = list.memo;
  const variant = itemVariant(PROTOBUF, list);
  const encodeItem = (i: number): Uint8Array => encodeWireMessage(itemType, itemMessage(itemType, list.item(i)));
  // First pass: each item's size; the item and its message are dropped at once.
  const sizes = new Float64Array(list.count);
  let raw = headBytes.length;
  for (let i = 0; i < list.count; i++) {
    const n = memoOf ? serializedOnce(memoOf(i), variant, () => encodeItem(i)).length : wireMessageSize(itemType, itemMessage(itemType, list.item(i)));
    sizes[i] = n;
    raw += itemKey.length + varintBytes(n).length + n;
  }
  const { prefix, suffix } = k8sEnvelopeFraming(head.apiVersion ?? '', head.kind ?? '', raw);
  function* chunks(): Generator<Uint8Array> {
    const chunker = new Chunker();
    chunker.add(prefix);
    chunker.add(headBytes);
    for (let i = 0; i < list.count; i++) {
      const bytes = (memoOf && memoOf(i)?.get(variant)) || encodeItem(i);
      if (bytes.length !== sizes[i]) throw new Error(`list item ${i} changed size between passes (${sizes[i]} → ${bytes.length} bytes)`);
      chunker.add(itemKey!);
      chunker.add(varintBytes(bytes.length));
      chunker.add(bytes);
      if (chunker.full) yield chunker.take()!;
    }
    chunker.add(suffix);
    yield chunker.take()!;
  }
  return { length: prefix.length + raw + suffix.length, chunks: chunks() };
}

/**
 * The list's body in pieces when it is large enough to be worth streaming in `mediaType`
 * (JSON and protobuf; YAML is written whole), else undefined: the caller encodes it whole.
 */
export function chunkedListBody(mediaType: ResponseMediaType, list: ItemList, served: ResponseKinds, minItems = STREAM_MIN_ITEMS): ChunkedBody | undefined {
  if (list.count < minItems) return undefined;
  if (mediaType === 'application/json') return { chunks: jsonChunks(list) };
  if (mediaType === PROTOBUF) return protobufBody(list, served);
  return undefined;
}
