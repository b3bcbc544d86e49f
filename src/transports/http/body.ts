/**
 * Request bodies by Content-Type: JSON, YAML, Kubernetes protobuf (`k8s\0` envelope),
 * and the patch media types. Output is plain Kubernetes JSON for the pipeline.
 */
import { parse as parseYaml } from 'yaml';
import type { PatchType } from '../../endpoints/api-call.js';
import type { ApiCatalog } from '../../endpoints/catalog.js';
import { PATCH_MEDIA_TYPES } from '../../endpoints/patch/apply-patch.js';
import { badRequest, unsupportedMediaType } from '../../machinery/errors/index.js';
import { parseApiVersion } from '../../machinery/meta/gvk.js';
import { decodeProtobufObject, messageToKubeJson, parseK8sEnvelope } from '../../machinery/schema/index.js';
import { checkTextDepth, checkValueDepth, checkYamlDepth } from './body-depth.js';
import { parseMediaType } from './negotiate.js';

/** The protobuf media type Kubernetes clients send. */
export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

const OBJECT_MEDIA_TYPES = ['application/json', 'application/yaml', PROTOBUF];

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

function parseJson(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
  checkTextDepth(text);
  return value;
}

function parseYamlBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  // The YAML parser recurses per level: bound the nesting before parsing.
  checkYamlDepth(text);
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
  }
  checkValueDepth(value);
  return value;
}

/** Decodes an object body (create, update, delete options). Empty body → undefined. */
export function decodeObjectBody(raw: Buffer | undefined, contentType: string | undefined, catalog: ApiCatalog): unknown {
  if (!raw || raw.length === 0) return undefined;
  const type = parseMediaType(contentType ?? 'application/json').type;
  if (type === '' || type === 'application/json' || type === '*/*') return parseJson(raw);
  if (type === 'application/yaml') return parseYamlBody(raw);
  if (type === PROTOBUF) return decodeProtobufBody(raw, catalog);
  throw unsupportedMediaType(type, OBJECT_MEDIA_TYPES);
}

/** Decodes a PATCH body and its patch type. */
export function decodePatchBody(raw: Buffer | undefined, contentType: string | undefined): { patchType: PatchType; body: unknown } {
  const type = parseMediaType(contentType ?? '').type;
  const patchType = PATCH_TYPES[type];
  if (!patchType) throw unsupportedMediaType(type, [...PATCH_MEDIA_TYPES, 'application/apply-patch+yaml']);
  const data = raw ?? Buffer.alloc(0);
  if (data.length === 0) throw badRequest('the body of the request is empty');
  return { patchType, body: patchType === 'apply' ? parseYamlBody(data) : parseJson(data) };
}

function decodeProtobufBody(raw: Buffer, catalog: ApiCatalog): unknown {
  let envelope: { apiVersion: string; kind: string; raw: Uint8Array };
  try {
    envelope = parseK8sEnvelope(raw);
  } catch (err) {
    throw badRequest(`unable to decode protobuf body: ${(err as Error).message}`);
  }
  const gv = parseApiVersion(envelope.apiVersion);
  const typeName = catalog.bodyTypeName(gv.group, gv.version, envelope.kind);
  if (!typeName) throw badRequest(`no kind "${envelope.kind}" is registered for version "${envelope.apiVersion}"`);
  let object: unknown;
  try {
    const message = decodeProtobufObject(typeName, envelope.raw);
    object = { apiVersion: envelope.apiVersion, kind: envelope.kind, ...(messageToKubeJson(typeName, message) as object) };
  } catch (err) {
    throw badRequest(`unable to decode ${envelope.kind} from protobuf: ${(err as Error).message}`);
  }
  // Embedded JSON (FieldsV1, RawExtension) can nest as deeply as a JSON body.
  checkValueDepth(object);
  return object;
}
