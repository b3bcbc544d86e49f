/**
 * The Scale view of a resource: an autoscaling/v1 Scale built from the parent object
 * through the definition's scale paths, and the replicas of a Scale written back into
 * the parent. Nothing here knows a particular kind.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import { normalizeKubeJson } from '../../machinery/schema/index.js';
import { labelSelectorFromObject, type LabelRequirement } from '../../machinery/selection/index.js';
import { definitionApiVersion, type ScaleSubresource } from '../../registry/rest/definition.js';
import { SCALE_KIND } from '../verbs.js';

type Json = Record<string, unknown>;

/** `.spec.replicas` → `['spec', 'replicas']`. */
function segments(path: string): string[] {
  return path.split('.').filter((s) => s !== '');
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The value at a field path, or undefined when any step is missing. */
export function readPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const s of segments(path)) {
    if (!isObject(cur)) return undefined;
    cur = cur[s];
  }
  return cur;
}

/** Sets the value at a field path, creating intermediate objects. */
export function writePath(obj: Json, path: string, value: unknown): void {
  const parts = segments(path);
  const last = parts.pop();
  if (last === undefined) return;
  let cur = obj;
  for (const s of parts) {
    const next = cur[s];
    if (!isObject(next)) cur[s] = {};
    cur = cur[s] as Json;
  }
  cur[last] = value;
}

function requirementString(r: LabelRequirement): string {
  const values = [...r.values].sort();
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${values.join(',')})`;
    case 'gt':
      return `${r.key}>${values[0] ?? ''}`;
    case 'lt':
      return `${r.key}<${values[0] ?? ''}`;
    default:
      return `${r.key}${r.operator}${values[0] ?? ''}`;
  }
}

/**
 * A label selector in its query-string form (`app=web,tier in (a,b)`): requirements
 * sorted by key, set values sorted, as upstream prints a selector. A string is kept.
 */
export function selectorString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!isObject(value)) return '';
  // An equality selector (ReplicationController's map) is a LabelSelector's matchLabels.
  if (!('matchLabels' in value) && !('matchExpressions' in value) && Object.values(value).every((v) => typeof v === 'string')) {
    value = { matchLabels: value };
  }
  const sel = labelSelectorFromObject(value as Parameters<typeof labelSelectorFromObject>[0]);
  return [...sel.requirements]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(requirementString)
    .join(',');
}

function replicasAt(obj: KubeObject, path: string): number {
  const v = readPath(obj, path);
  return typeof v === 'number' ? v : 0;
}

/** The Scale of `parent`, in canonical Kubernetes JSON with apiVersion and kind. */
export function scaleFromParent(paths: ScaleSubresource, parent: KubeObject): KubeObject {
  const m = parent.metadata ?? {};
  const metadata: Json = {};
  for (const f of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp'] as const) {
    if (m[f] !== undefined) metadata[f] = m[f];
  }
  const status: Json = { replicas: replicasAt(parent, paths.statusReplicasPath) };
  if (paths.labelSelectorPath) status.selector = selectorString(readPath(parent, paths.labelSelectorPath));
  const body = { metadata, spec: { replicas: replicasAt(parent, paths.specReplicasPath) }, status };
  const { object } = normalizeKubeJson(SCALE_KIND.typeName, body);
  return { apiVersion: definitionApiVersion(SCALE_KIND), kind: SCALE_KIND.kind, ...object };
}

/**
 * The parent with the Scale's desired replicas written in, carrying the Scale's
 * resourceVersion so the store's compare-and-swap rejects a stale Scale.
 */
export function parentWithScale(paths: ScaleSubresource, parent: KubeObject, scale: KubeObject): KubeObject {
  const next = structuredClone(parent) as Json;
  const replicas = readPath(scale, '.spec.replicas');
  writePath(next, paths.specReplicasPath, typeof replicas === 'number' ? replicas : 0);
  const meta = (isObject(next.metadata) ? next.metadata : (next.metadata = {})) as Json;
  const rv = scale.metadata?.resourceVersion;
  if (rv) meta.resourceVersion = rv;
  else delete meta.resourceVersion;
  return next as KubeObject;
}
