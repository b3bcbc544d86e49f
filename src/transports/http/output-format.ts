/**
 * Response format negotiation for resource requests: a plain object, a meta.k8s.io
 * Table (kubectl's human output), or PartialObjectMetadata(List). Parameters of the
 * Accept header drive it; the first acceptable entry wins.
 */
import type { ApiResult } from '../../endpoints/api-call.js';
import type { ServedResource } from '../../registry/rest/served.js';
import { type IncludeObject, toPartialList, partialObjectMetadata, toTable } from '../../endpoints/table/convert.js';
import type { KubeList, KubeObject } from '../../machinery/meta/object.js';
import type { WatchEvent } from '../../registry/rest/resource-store.js';
import { badRequest, notAcceptable } from '../../machinery/errors/index.js';
import type { MediaRange } from './negotiate.js';

/** What to send back. */
export type OutputFormat =
  | { as: 'object' }
  | { as: 'Table'; version: string; include: IncludeObject }
  | { as: 'PartialObjectMetadata'; version: string };

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

/** Renders an object result (get/list) in the negotiated format. */
export function renderObject(def: ServedResource, format: OutputFormat, object: KubeObject): KubeObject {
  const isList = Array.isArray((object as { items?: unknown }).items);
  if (format.as === 'Table') return toTable(def, object as KubeObject | KubeList, { include: format.include, tableVersion: format.version });
  if (format.as === 'PartialObjectMetadata') {
    return isList ? toPartialList(object as unknown as KubeList, format.version) : partialObjectMetadata(object, `meta.k8s.io/${format.version}`);
  }
  return object;
}

/** Renders watch events: Tables carry column definitions in the first event only. */
export function renderWatch(def: ServedResource, format: OutputFormat, result: Extract<ApiResult, { type: 'watch' }>): AsyncIterable<WatchEvent> {
  if (format.as === 'object') return result.events;
  return (async function* () {
    let first = true;
    for await (const ev of result.events) {
      if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') {
        yield ev;
        continue;
      }
      if (format.as === 'Table') {
        yield { type: ev.type, object: toTable(def, ev.object, { include: format.include, tableVersion: format.version, withColumns: first }) };
        first = false;
      } else {
        yield { type: ev.type, object: partialObjectMetadata(ev.object, `meta.k8s.io/${format.version}`) };
      }
    }
  })();
}
