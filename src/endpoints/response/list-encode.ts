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

function* jsonChunks(list: ItemList): Generator<Uint8Array> {
  // The head's keys in order, as JSON.stringify writes `{ ...head, items }`; undefined values are left out as it does.
  let text = '{';
  for (const [key, value] of Object.entries(list.head)) {
    if (value === undefined || key === 'items') continue;
    text += `${JSON.stringify(key)}:${JSON.stringify(value)},`;
  }
  text += '"items":[';
  for (let i = 0; i < list.count; i++) {
    // An item JSON.stringify would write as null (undefined) stays null in an array.
    text += (i > 0 ? ',' : '') + (JSON.stringify(list.item(i)) ?? 'null');
    if (text.length >= CHUNK_BYTES) {
      yield Buffer.from(text, 'utf8');
      text = '';
    }
  }
  yield Buffer.from(`${text}]}`, 'utf8');
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
  // First pass: each item's size; the item and its message are dropped at once.
  const sizes = new Float64Array(list.count);
  let raw = headBytes.length;
  for (let i = 0; i < list.count; i++) {
    const n = wireMessageSize(itemType, itemMessage(itemType, list.item(i)));
    sizes[i] = n;
    raw += itemKey.length + varintBytes(n).length + n;
  }
  const { prefix, suffix } = k8sEnvelopeFraming(head.apiVersion ?? '', head.kind ?? '', raw);
  function* chunks(): Generator<Uint8Array> {
    const chunker = new Chunker();
    chunker.add(prefix);
    chunker.add(headBytes);
    for (let i = 0; i < list.count; i++) {
      const bytes = encodeWireMessage(itemType!, itemMessage(itemType!, list.item(i)));
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
