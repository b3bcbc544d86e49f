/**
 * A read's result in the format the client asked for: the object itself, a meta.k8s.io
 * Table, or PartialObjectMetadata(List). Transports negotiate the format; rendering is
 * the same for all of them.
 */
import type { KubeList, KubeObject } from '../../machinery/meta/object.js';
import type { WatchEvent } from '../../registry/rest/resource-store.js';
import type { ApiResult } from '../api-call.js';
import { type IncludeObject, partialObjectMetadata, type TablePrinter, toPartialList, toTable } from './convert.js';

/** What to send back. */
export type OutputFormat =
  | { as: 'object' }
  | { as: 'Table'; version: string; include: IncludeObject }
  | { as: 'PartialObjectMetadata'; version: string };

/** Renders an object result (get/list) in the negotiated format. */
export function renderObject(printer: TablePrinter, format: OutputFormat, object: KubeObject): KubeObject {
  const isList = Array.isArray((object as { items?: unknown }).items);
  if (format.as === 'Table') return toTable(printer, object as KubeObject | KubeList, { include: format.include, tableVersion: format.version });
  if (format.as === 'PartialObjectMetadata') {
    return isList ? toPartialList(object as unknown as KubeList, format.version) : partialObjectMetadata(object, `meta.k8s.io/${format.version}`);
  }
  return object;
}

/** Renders watch events: Tables carry column definitions in the first event only. */
export function renderWatch(printer: TablePrinter, format: OutputFormat, result: Extract<ApiResult, { type: 'watch' }>): AsyncIterable<WatchEvent> {
  if (format.as === 'object') return result.events;
  return (async function* () {
    let first = true;
    for await (const ev of result.events) {
      if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') {
        yield ev;
        continue;
      }
      if (format.as === 'Table') {
        yield { type: ev.type, object: toTable(printer, ev.object, { include: format.include, tableVersion: format.version, withColumns: first }) };
        first = false;
      } else {
        yield { type: ev.type, object: partialObjectMetadata(ev.object, `meta.k8s.io/${format.version}`) };
      }
    }
  })();
}
