/**
 * Response format negotiation for resource requests over HTTP: a plain object, a
 * meta.k8s.io Table (kubectl's human output), or PartialObjectMetadata(List), chosen by
 * the Accept header's parameters (the first acceptable entry wins). Rendering in the
 * chosen format is transport-neutral (endpoints/table/render.ts).
 */
import type { IncludeObject } from '../../endpoints/table/convert.js';
import type { OutputFormat } from '../../endpoints/table/render.js';
import { badRequest, notAcceptable } from '../../machinery/errors/index.js';
import type { MediaRange } from './negotiate.js';

const META_VERSIONS = new Set(['v1', 'v1beta1']);

/** Picks the output format from Accept ranges; throws 406 when nothing is acceptable. */
export function negotiateOutput(ranges: MediaRange[], includeObject: string | undefined): OutputFormat {
  let include: IncludeObject = 'Metadata';
  if (includeObject !== undefined && includeObject !== '') {
    if (includeObject !== 'None' && includeObject !== 'Metadata' && includeObject !== 'Object') {
      throw badRequest(`includeObject: Unsupported value: ${JSON.stringify(includeObject)}: supported values: "Metadata", "None", "Object"`);
    }
    include = includeObject;
  }
  for (const r of ranges) {
    const jsonish = r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*';
    if (!jsonish) continue;
    const as = r.params.as;
    if (!as) return { as: 'object' };
    if (r.params.g !== 'meta.k8s.io' || !META_VERSIONS.has(r.params.v ?? '')) continue;
    if (as === 'Table') return { as: 'Table', version: r.params.v as string, include };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') {
      return { as: 'PartialObjectMetadata', version: r.params.v as string };
    }
  }
  // Only JSON is ever written (protobuf and YAML are accepted on requests, never produced).
  throw notAcceptable(['application/json']);
}
