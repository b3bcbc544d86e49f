/**
 * Object bodies (create, update, DeleteOptions) → Kubernetes JSON, whatever they came
 * as: JSON, YAML, the `k8s\0` protobuf envelope, or a typed gRPC message. Failures carry
 * upstream's messages; the kind checks and field validation follow in `decode.ts`.
 */
import { unsupportedMediaType } from '../../machinery/errors/index.js';
import { parseApiVersion } from '../../machinery/meta/gvk.js';
import { decodeProtobufObject, hasK8sMagic, messageToKubeJson, parseK8sEnvelope } from '../../machinery/schema/index.js';
import { definitionApiVersion, type KindRef } from '../../registry/rest/definition.js';
import type { RequestBody } from '../api-call.js';
import type { ApiCatalog } from '../catalog.js';
import { checkValueDepth } from './body-depth.js';
import { cannotHandle, protobufCause, unrecognizedBody } from './decode-errors.js';
import { BodySyntaxError, parseJsonBody, parseYamlBody } from './json-body.js';
import { OBJECT_MEDIA_TYPES, parseMediaType, PROTOBUF } from './media-type.js';

/** Decodes a body meant to be `into`. No body (or an empty one) → undefined. */
export function decodeObjectBody(body: RequestBody | undefined, into: KindRef, catalog: ApiCatalog): unknown {
  if (!body) return undefined;
  if (body.type === 'message') {
    const object = { apiVersion: definitionApiVersion(into), kind: into.kind, ...(messageToKubeJson(into.typeName, body.message) as object) };
    // A typed message's embedded JSON (FieldsV1, RawExtension) nests as deeply as a JSON body can.
    checkValueDepth(object);
    return object;
  }
  const { data } = body;
  if (data.length === 0) return undefined;
  // A missing Content-Type is JSON, as upstream's first supported media type.
  const type = parseMediaType(body.contentType || 'application/json').type;
  if (type === PROTOBUF) return decodeEnvelope(data, into, catalog);
  const parse = type === 'application/json' || type === '*/*' ? parseJsonBody : type === 'application/yaml' ? parseYamlBody : undefined;
  if (!parse) throw unsupportedMediaType(type, [...OBJECT_MEDIA_TYPES]);
  try {
    return parse(data);
  } catch (err) {
    if (!(err instanceof BodySyntaxError)) throw err;
    const cause = parse === parseJsonBody ? `couldn't get version/kind; json parse error: ${err.message}` : err.message;
    throw unrecognizedBody(into.kind, cause, data);
  }
}

/** `k8s\0` + runtime.Unknown: kind and version default to the target's, as upstream's copyKindDefaults. */
function decodeEnvelope(data: Uint8Array, into: KindRef, catalog: ApiCatalog): unknown {
  if (!hasK8sMagic(data)) {
    throw unrecognizedBody(into.kind, 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]', data);
  }
  if (data.length === 4) throw unrecognizedBody(into.kind, 'empty body', data);
  let envelope: { apiVersion: string; kind: string; raw: Uint8Array };
  try {
    envelope = parseK8sEnvelope(data);
  } catch (err) {
    throw unrecognizedBody(into.kind, protobufCause(err), data);
  }
  const apiVersion = envelope.apiVersion || definitionApiVersion(into);
  const kind = envelope.kind || into.kind;
  const gv = parseApiVersion(apiVersion);
  // A kind without messages (a custom resource) takes JSON and YAML only, as upstream's do.
  const served = catalog.kind(gv.group, gv.version, kind);
  if (served && !served.definition.schema.proto) {
    throw unsupportedMediaType('application/vnd.kubernetes.protobuf', ['application/json', 'application/yaml']);
  }
  const typeName = catalog.bodyTypeName(gv.group, gv.version, kind);
  if (!typeName) {
    throw cannotHandle(kind, gv.version, into.kind, `no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)} in scheme "pkg/api/legacyscheme/scheme.go:30"`);
  }
  let object: unknown;
  try {
    object = { apiVersion, kind, ...(messageToKubeJson(typeName, decodeProtobufObject(typeName, envelope.raw)) as object) };
  } catch (err) {
    throw cannotHandle(kind, gv.version, into.kind, protobufCause(err));
  }
  // Embedded JSON (FieldsV1, RawExtension) can nest as deeply as a JSON body.
  checkValueDepth(object);
  return object;
}
