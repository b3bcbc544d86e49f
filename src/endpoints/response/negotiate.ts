/**
 * Response negotiation for resource requests, as upstream's NegotiateMediaTypeOptions:
 * the first Accept clause (in preference order) that names a media type the endpoint can
 * write, with a transformation (`as=Table`, `as=PartialObjectMetadata[List]`) it can do,
 * wins. Built-in kinds write JSON, YAML and protobuf; kinds without messages (custom
 * resources) JSON and YAML; Tables are JSON or YAML only. Watches have no YAML stream.
 */
import { badRequest, notAcceptable } from '../../machinery/errors/index.js';
import { PROTOBUF } from '../request/media-type.js';
import type { IncludeObject } from '../table/convert.js';
import type { OutputFormat } from '../table/render.js';
import { parseAccept, type MediaRange } from './accept.js';

/** The media types responses are written in, in upstream's serializer order. */
export type ResponseMediaType = 'application/json' | 'application/yaml' | typeof PROTOBUF;
const MEDIA_TYPES: readonly ResponseMediaType[] = ['application/json', 'application/yaml', PROTOBUF];
/** Media types that have a watch stream framing. */
const STREAM_MEDIA_TYPES: readonly ResponseMediaType[] = ['application/json', PROTOBUF];

/** What a response is written as: the media type and the view of the result. */
export interface ResponseFormat {
  mediaType: ResponseMediaType;
  output: OutputFormat;
}

/** What the endpoint can do. */
export interface NegotiationTarget {
  /** The kind has protobuf messages (built-in kinds). */
  protobuf: boolean;
  /** A watch: the media type needs a stream framing. */
  watch: boolean;
  /** Tables and partial metadata are views of reads; writes answer with the object. */
  transforms: boolean;
  includeObject?: string | undefined;
}

const META_VERSIONS = new Set(['v1', 'v1beta1']);

function matches(clause: MediaRange, mediaType: string): boolean {
  const [type, sub] = clause.type.split('/');
  const [mt, ms] = mediaType.split('/');
  return (type === mt && (sub === ms || sub === '*')) || (type === '*' && sub === '*');
}

function includeOption(includeObject: string | undefined): IncludeObject {
  if (includeObject === undefined || includeObject === '') return 'Metadata';
  if (includeObject !== 'None' && includeObject !== 'Metadata' && includeObject !== 'Object') {
    throw badRequest(`includeObject: Unsupported value: ${JSON.stringify(includeObject)}: supported values: "Metadata", "None", "Object"`);
  }
  return includeObject;
}

/** The view a clause's parameters ask for, or undefined when this endpoint cannot give it in `mediaType`. */
function viewFor(clause: MediaRange, mediaType: ResponseMediaType, target: NegotiationTarget, include: IncludeObject): OutputFormat | undefined {
  const as = clause.params.as;
  if (!as) return mediaType === PROTOBUF && !target.protobuf ? undefined : { as: 'object' };
  if (!target.transforms) return mediaType === PROTOBUF && !target.protobuf ? undefined : { as: 'object' };
  if (clause.params.g !== 'meta.k8s.io' || !META_VERSIONS.has(clause.params.v ?? '')) return undefined;
  const version = clause.params.v as string;
  if (as === 'Table') return mediaType === PROTOBUF ? undefined : { as: 'Table', version, include };
  // PartialObjectMetadata has messages whatever the kind: any media type.
  if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { as: 'PartialObjectMetadata', version };
  return undefined;
}

/** Picks the response format from an Accept header; 406 (upstream's list of media types) when nothing fits. */
export function negotiateResponse(accept: string | undefined, target: NegotiationTarget): ResponseFormat {
  const include = includeOption(target.transforms ? target.includeObject : undefined);
  const writable = target.watch ? STREAM_MEDIA_TYPES : MEDIA_TYPES;
  for (const clause of parseAccept(accept)) {
    for (const mediaType of MEDIA_TYPES) {
      if (!matches(clause, mediaType)) continue;
      const output = viewFor(clause, mediaType, target, include);
      if (!output) continue;
      // Upstream picks the serializer first and only then finds it has no stream framing.
      if (!writable.includes(mediaType)) throw notAcceptable(STREAM_MEDIA_TYPES.map((m) => `${m};stream=watch`));
      return { mediaType, output };
    }
  }
  throw notAcceptable(target.watch ? STREAM_MEDIA_TYPES.map((m) => `${m};stream=watch`) : [...MEDIA_TYPES]);
}

/**
 * The media type a Status error is written in: errors are negotiated without the
 * endpoint's restrictions (upstream's ErrorNegotiated), falling back to JSON.
 */
export function errorMediaType(accept: string | undefined): ResponseMediaType {
  for (const clause of parseAccept(accept)) {
    if (clause.params.as) continue;
    for (const mediaType of MEDIA_TYPES) if (matches(clause, mediaType)) return mediaType;
  }
  return 'application/json';
}
