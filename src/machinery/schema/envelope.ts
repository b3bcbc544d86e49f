/**
 * The Kubernetes protobuf envelope: the magic "k8s\0" followed by a
 * runtime.Unknown holding apiVersion/kind and the object's raw bytes.
 */
import { Unknown } from '../../../gen/k8s/io/apimachinery/pkg/runtime/generated.js';
import { SchemaDecodeError } from './errors.js';
import { encodeWireMessage } from './wire-encode.js';

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
