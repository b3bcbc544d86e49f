/**
 * core/v1 Event (storage) ⇄ events.k8s.io/v1 Event, as upstream's events/v1 conversion: the
 * same fields under new names — reportingComponent ↔ reportingController, involvedObject ↔
 * regarding, message ↔ note, source ↔ deprecatedSource, firstTimestamp, lastTimestamp and
 * count ↔ their `deprecated` forms — and eventTime, series, action, reason, related, type and
 * reportingInstance as they are. Lossless both ways.
 */
import type { KubeObject } from '../../machinery/meta/object.js';

/** core/v1 field → events.k8s.io/v1 field. */
const RENAMED: ReadonlyArray<readonly [string, string]> = [
  ['reportingComponent', 'reportingController'],
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
];

/** events.k8s.io/v1 fields Go leaves out when empty (core/v1 writes its reporting fields always). */
const OMIT_EMPTY = new Set(['reportingController', 'reportingInstance', 'deprecatedCount']);

function rename(obj: KubeObject, pairs: ReadonlyArray<readonly [string, string]>, omitEmpty: ReadonlySet<string>): KubeObject {
  const out: Record<string, unknown> = {};
  const map = new Map(pairs);
  for (const [key, value] of Object.entries(obj)) {
    const to = map.get(key) ?? key;
    if (omitEmpty.has(to) && (value === '' || value === 0)) continue;
    out[to] = value;
  }
  return out as KubeObject;
}

/** A core/v1 Event as events.k8s.io/v1 shows it. */
export function eventToEventsV1(obj: KubeObject): KubeObject {
  return rename(obj, RENAMED, OMIT_EMPTY);
}

/** An events.k8s.io/v1 Event as core/v1 stores it. */
export function eventFromEventsV1(obj: KubeObject): KubeObject {
  return rename(
    obj,
    RENAMED.map(([core, events]) => [events, core] as const),
    new Set(),
  );
}
