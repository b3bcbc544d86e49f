/**
 * The Kubernetes protobuf envelope: the magic "k8s\0" followed by a
 * runtime.Unknown holding apiVersion/kind and the object's raw bytes.
 */
import { Unknown } from '../../../gen/k8s/io/apimachinery/pkg/runtime/generated.js';
import { SchemaDecodeError } from './errors.js';
import { encodeWireMessage, varintBytes } from './wire-encode.js';

const UNKNOWN = 'k8s.io.apimachinery.pkg.runtime.Unknown';

/** The four bytes that start every Kubernetes protobuf body. */
export const K8S_PROTOBUF_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** The content of an envelope. */
export interface K8sEnvelope {
  apiVersion: string;
  kind: string;
  /** The object's protobuf bytes. */
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

/** True when `bytes` starts with the "k8s\0" magic. */
export function hasK8sMagic(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === K8S_PROTOBUF_MAGIC[0] &&
    bytes[1] === K8S_PROTOBUF_MAGIC[1] &&
    bytes[2] === K8S_PROTOBUF_MAGIC[2] &&
    bytes[3] === K8S_PROTOBUF_MAGIC[3]
  );
}

/** Parses an enveloped protobuf body; throws SchemaDecodeError without the magic. */
export function parseK8sEnvelope(bytes: Uint8Array): K8sEnvelope {
  if (!hasK8sMagic(bytes)) {
    throw new SchemaDecodeError('provided object is not a Kubernetes protobuf message: missing "k8s\\0" prefix', '');
  }
  const unknown = Unknown.decode(bytes.subarray(4));
  return {
    apiVersion: unknown.typeMeta?.apiVersion ?? '',
    kind: unknown.typeMeta?.kind ?? '',
    raw: unknown.raw ?? new Uint8Array(0),
    contentEncoding: unknown.contentEncoding ?? '',
    contentType: unknown.contentType ?? '',
  };
}

/** What writeK8sEnvelope needs; encoding and content type default to "" as upstream writes them. */
export interface K8sEnvelopeInput {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding?: string;
  contentType?: string;
}

/**
 * Writes "k8s\0" + runtime.Unknown around an object's protobuf bytes, byte for byte as
 * kube-apiserver writes it (typeMeta, raw, contentEncoding and contentType, empty ones included).
 */
export function writeK8sEnvelope(input: K8sEnvelopeInput): Uint8Array {
  const body = encodeWireMessage(UNKNOWN, {
    typeMeta: { apiVersion: input.apiVersion, kind: input.kind },
    raw: input.raw,
    contentEncoding: input.contentEncoding ?? '',
    contentType: input.contentType ?? '',
  });
  const out = new Uint8Array(4 + body.length);
  out.set(K8S_PROTOBUF_MAGIC, 0);
  out.set(body, 4);
  return out;
}

/** runtime.Unknown's field keys: typeMeta = 1, raw = 2, contentEncoding = 3, contentType = 4 (all length-delimited). */
const TYPE_META_KEY = 0x0a;
const RAW_KEY = 0x12;
const EMPTY_CONTENT_FIELDS = Uint8Array.of(0x1a, 0x00, 0x22, 0x00);

/**
 * The bytes writeK8sEnvelope puts before and after a raw of `rawLength` bytes (empty content
 * encoding and type): an enveloped object can then be written in pieces, `prefix`, the raw
 * bytes as they are produced, `suffix`.
 */
export function k8sEnvelopeFraming(apiVersion: string, kind: string, rawLength: number): { prefix: Uint8Array; suffix: Uint8Array } {
  const typeMeta = encodeWireMessage('k8s.io.apimachinery.pkg.runtime.TypeMeta', { apiVersion, kind });
  const typeMetaLength = varintBytes(typeMeta.length);
  const rawLen = varintBytes(rawLength);
  const prefix = new Uint8Array(4 + 1 + typeMetaLength.length + typeMeta.length + 1 + rawLen.length);
  let at = 0;
  prefix.set(K8S_PROTOBUF_MAGIC, at);
  at += 4;
  prefix[at++] = TYPE_META_KEY;
  prefix.set(typeMetaLength, at);
  at += typeMetaLength.length;
  prefix.set(typeMeta, at);
  at += typeMeta.length;
  prefix[at++] = RAW_KEY;
  prefix.set(rawLen, at);
  return { prefix, suffix: EMPTY_CONTENT_FIELDS };
}
