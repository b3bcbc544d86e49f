/**
 * A result's bytes in the negotiated media type: JSON; YAML as upstream writes it (the
 * JSON re-emitted as YAML 1.1 with keys sorted, lists not indented); or protobuf, the
 * `k8s\0` envelope around the object's message, as upstream's protobuf serializer.
 * Protobuf watch streams are WatchEvent messages, each prefixed with its length as a
 * 4-byte big-endian integer, whose object is the enveloped event object.
 */
import { stringify } from 'yaml';
import { encodeWireMessage, kubeJsonToMessage, writeK8sEnvelope } from '../../machinery/schema/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { ServedResource } from '../../registry/rest/served.js';
import type { WatchEvent } from '../../registry/rest/resource-store.js';
import { PROTOBUF } from '../request/media-type.js';
import type { ResponseMediaType } from './negotiate.js';

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const WATCH_EVENT = `${META}.WatchEvent`;
/** meta.k8s.io kinds a response can be (v1beta1 shares v1's messages). */
const META_KINDS = new Set(['Table', 'PartialObjectMetadata', 'PartialObjectMetadataList', 'Status']);

/** The served kinds' messages a response of `served` may carry. */
export type ResponseKinds = (Pick<ServedResource, 'kind' | 'listKind' | 'schema'> & Partial<Pick<ServedResource, 'actions'>>) | undefined;

/** The protobuf message of a response object, or undefined when it has none. */
export function responseMessage(served: ResponseKinds, obj: KubeObject): string | undefined {
  const { kind, apiVersion } = obj;
  if (kind === 'Status' && apiVersion === 'v1') return `${META}.Status`;
  if (kind && META_KINDS.has(kind) && (apiVersion === 'meta.k8s.io/v1' || apiVersion === 'meta.k8s.io/v1beta1')) return `${META}.${kind}`;
  if (kind === 'Scale' && apiVersion === 'autoscaling/v1') return 'k8s.io.api.autoscaling.v1.Scale';
  if (served && kind === served.kind) return served.schema.proto?.typeName;
  if (served && kind === served.listKind) return served.schema.proto?.listTypeName;
  // An action subresource's reply in its own kind (authentication.k8s.io/v1 TokenRequest).
  for (const a of served?.actions ?? []) {
    for (const k of [a.kind, ...(a.accepts ?? [])]) {
      if (k.kind === kind && (k.group ? `${k.group}/${k.version}` : k.version) === apiVersion) return k.typeName;
    }
  }
  return undefined;
}

/** Upstream's protobuf serialization of one object: "k8s\0" + runtime.Unknown. */
function protobufObject(served: ResponseKinds, obj: KubeObject): Uint8Array {
  const typeName = responseMessage(served, obj);
  if (!typeName) throw new Error(`no protobuf message for ${obj.apiVersion ?? ''}, Kind=${obj.kind ?? ''}`);
  const { message } = kubeJsonToMessage(typeName, obj);
  return writeK8sEnvelope({ apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '', raw: encodeWireMessage(typeName, message) });
}

/** YAML as upstream's serializer writes it (sigs.k8s.io/yaml over the JSON). */
export function toYaml(obj: unknown): string {
  return stringify(JSON.parse(JSON.stringify(obj)), { sortMapEntries: true, indentSeq: false, lineWidth: 0, version: '1.1' });
}

/** One response body. */
export function encodeBody(mediaType: ResponseMediaType, obj: KubeObject, served: ResponseKinds): Uint8Array {
  switch (mediaType) {
    case 'application/json':
      return Buffer.from(JSON.stringify(obj), 'utf8');
    case 'application/yaml':
      return Buffer.from(toYaml(obj), 'utf8');
    case PROTOBUF:
      return protobufObject(served, obj);
  }
}

/** The Content-Type of a watch stream in `mediaType`. */
export function watchContentType(mediaType: ResponseMediaType): string {
  return mediaType === 'application/json' ? mediaType : `${mediaType};stream=watch`;
}

/** One watch event as written on the stream: a JSON line, or a length-prefixed protobuf WatchEvent. */
export function encodeWatchFrame(mediaType: ResponseMediaType, ev: WatchEvent, served: ResponseKinds): Uint8Array {
  if (mediaType !== PROTOBUF) return Buffer.from(`${JSON.stringify(ev)}\n`, 'utf8');
  const body = encodeWireMessage(WATCH_EVENT, { type: ev.type, object: { raw: Buffer.from(protobufObject(served, ev.object)) } });
  const frame = Buffer.alloc(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.set(body, 4);
  return frame;
}
