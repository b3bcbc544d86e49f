/**
 * The codec of stored values, as kube-apiserver writes them to etcd: every value carries
 * its apiVersion and kind, in JSON or in the Kubernetes protobuf envelope. Reading
 * sniffs the `k8s\0` magic, so values of either format (and the previous release's
 * JSON without apiVersion/kind) are read whatever the configured media type.
 * Protobuf always carries Go's non-pointer structs, so an object read from protobuf
 * shows them (`status: {}`, `resources: {}`) as upstream's JSON does.
 */
import { Buffer } from 'node:buffer';
import type { KubeObject } from '../machinery/meta/object.js';
import {
  decodeProtobufObject,
  encodeWireMessage,
  hasK8sMagic,
  kubeJsonToMessage,
  messageToKubeJson,
  parseK8sEnvelope,
  writeK8sEnvelope,
} from '../machinery/schema/index.js';
import type { Codec } from './codec.js';
import { PROTOBUF_MEDIA_TYPE, type StorageMediaType } from './media-type.js';

/**
 * The full protobuf message name of a stored kind, or undefined when it has none
 * (such objects are written as JSON). Injected by the server from what it serves.
 */
export type ProtobufTypeLookup = (apiVersion: string, kind: string) => string | undefined;

/** Options of {@link storageCodec}. */
export interface StorageCodecOptions {
  /** The format values are written in. */
  mediaType: StorageMediaType;
  protobufType: ProtobufTypeLookup;
}

/**
 * JSON as upstream's serializer writes it: kind and apiVersion first (TypeMeta's
 * order), then the object's fields, then a newline.
 */
function encodeJson(obj: KubeObject): Uint8Array {
  const { kind, apiVersion, ...rest } = obj;
  const head: Record<string, unknown> = {};
  if (kind !== undefined) head.kind = kind;
  if (apiVersion !== undefined) head.apiVersion = apiVersion;
  return Buffer.from(`${JSON.stringify({ ...head, ...rest })}\n`, 'utf8');
}

/** Builds the codec; see the module comment for what it guarantees. */
export function storageCodec(opts: StorageCodecOptions): Codec {
  const { protobufType } = opts;
  const writeProtobuf = opts.mediaType === PROTOBUF_MEDIA_TYPE;

  return {
    encode(obj) {
      const { apiVersion, kind } = obj;
      const typeName = writeProtobuf && apiVersion && kind ? protobufType(apiVersion, kind) : undefined;
      if (typeName === undefined) return encodeJson(obj);
      const { message } = kubeJsonToMessage(typeName, obj);
      return writeK8sEnvelope({ apiVersion: apiVersion!, kind: kind!, raw: encodeWireMessage(typeName, message) });
    },

    decode(bytes) {
      if (!hasK8sMagic(bytes)) return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as KubeObject;
      const envelope = parseK8sEnvelope(bytes);
      const typeName = protobufType(envelope.apiVersion, envelope.kind);
      if (typeName === undefined) throw new Error(`no protobuf message is known for ${envelope.apiVersion}, Kind=${envelope.kind}`);
      if (envelope.contentEncoding !== '') throw new Error(`unsupported content encoding ${JSON.stringify(envelope.contentEncoding)}`);
      const json = messageToKubeJson(typeName, decodeProtobufObject(typeName, envelope.raw));
      return { apiVersion: envelope.apiVersion, kind: envelope.kind, ...json } as KubeObject;
    },
  };
}
