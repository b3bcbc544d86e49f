/**
 * meta/v1 option messages of gRPC requests → the CallOptions HTTP builds from the
 * query string. Empty strings count as unset, as an empty query parameter does.
 */
import type {
  CreateOptions,
  GetOptions,
  ListOptions,
  PatchOptions,
  UpdateOptions,
} from '../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import type { CallOptions } from '../../endpoints/api-call.js';

function setString(o: CallOptions, key: 'labelSelector' | 'fieldSelector' | 'resourceVersion' | 'resourceVersionMatch' | 'continue' | 'fieldManager' | 'fieldValidation' | 'propagationPolicy', v: string | undefined): void {
  if (v !== undefined && v !== '') o[key] = v;
}

/** GetOptions → CallOptions. */
export function getCallOptions(m: GetOptions | undefined): CallOptions {
  const o: CallOptions = {};
  setString(o, 'resourceVersion', m?.resourceVersion);
  return o;
}

/** ListOptions → CallOptions (list and watch). */
export function listCallOptions(m: ListOptions | undefined): CallOptions {
  const o: CallOptions = {};
  if (!m) return o;
  setString(o, 'labelSelector', m.labelSelector);
  setString(o, 'fieldSelector', m.fieldSelector);
  setString(o, 'resourceVersion', m.resourceVersion);
  setString(o, 'resourceVersionMatch', m.resourceVersionMatch);
  setString(o, 'continue', m.continue);
  if (m.limit !== undefined) o.limit = m.limit;
  if (m.timeoutSeconds !== undefined) o.timeoutSeconds = m.timeoutSeconds;
  if (m.allowWatchBookmarks !== undefined) o.allowWatchBookmarks = m.allowWatchBookmarks;
  if (m.sendInitialEvents !== undefined) o.sendInitialEvents = m.sendInitialEvents;
  return o;
}

/** CreateOptions / UpdateOptions → CallOptions. */
export function writeCallOptions(m: CreateOptions | UpdateOptions | PatchOptions | undefined): CallOptions {
  const o: CallOptions = {};
  if (!m) return o;
  if (m.dryRun && m.dryRun.length > 0) o.dryRun = [...m.dryRun];
  setString(o, 'fieldManager', m.fieldManager);
  setString(o, 'fieldValidation', m.fieldValidation);
  if ('force' in m && m.force !== undefined) o.force = m.force;
  return o;
}
