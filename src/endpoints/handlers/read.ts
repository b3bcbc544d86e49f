/** get, list and watch. */
import { ApiError, badRequest } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { pathSegmentNameProblems } from '../../machinery/validation/path-segment.js';
import { listItemsOf, materializeList, type ListQuery, type ResourceStore, type WatchEvent } from '../../registry/rest/resource-store.js';
import type { ResolvedCall, ApiResult, CallOptions } from '../api-call.js';
import { definitionApiVersion } from '../../registry/rest/definition.js';
import { DEFAULT_BOOKMARK_INTERVAL_MS, INITIAL_EVENTS_END, watchStream } from '../watch-events.js';
import type { HandlerScope } from './context.js';

/** Longest watch timeout honoured: timers cannot wait longer than 2^31-1 ms (~24.8 days). */
const MAX_WATCH_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Server-side watch timeout when the client gives none: 30–60 minutes, as upstream. */
const MIN_REQUEST_TIMEOUT_SECONDS = 1800;

function listQuery(o: CallOptions): ListQuery {
  const q: ListQuery = {};
  if (o.labelSelector) q.labelSelector = o.labelSelector;
  if (o.fieldSelector) q.fieldSelector = o.fieldSelector;
  if (o.resourceVersion !== undefined) q.resourceVersion = o.resourceVersion;
  if (o.resourceVersionMatch) q.resourceVersionMatch = o.resourceVersionMatch;
  if (o.limit !== undefined) {
    if (!Number.isInteger(o.limit) || o.limit < 0) throw badRequest(`limit must be a non-negative integer, got ${o.limit}`);
    q.limit = o.limit;
  }
  if (o.continue) q.continue = o.continue;
  if (o.timeoutSeconds !== undefined) q.timeoutSeconds = o.timeoutSeconds;
  if (o.allowWatchBookmarks) q.allowWatchBookmarks = true;
  if (o.sendInitialEvents !== undefined) q.sendInitialEvents = o.sendInitialEvents;
  return q;
}

/** GET of one object. */
export async function handleGet({ call, store }: HandlerScope): Promise<ApiResult> {
  const rv = call.options.resourceVersion;
  const opts = rv !== undefined ? { resourceVersion: rv } : {};
  if (!store.getLazy) return { type: 'object', code: 200, object: await store.get(call.namespace, call.name ?? '', opts) };
  const read = await store.getLazy(call.namespace, call.name ?? '', opts);
  let object: KubeObject | undefined;
  return {
    type: 'object',
    code: 200,
    ...(read.memo ? { memo: read.memo } : {}),
    // Built on first use only: a transport whose bytes are held never asks for it.
    get object(): KubeObject {
      object ??= read.object();
      return object;
    },
  };
}

/** GET of a collection. */
export async function handleList({ call, store }: HandlerScope): Promise<ApiResult> {
  const items = await listItemsOf(store, call.namespace, listQuery(call.options));
  let whole: KubeObject | undefined;
  return {
    type: 'object',
    code: 200,
    items,
    // Built on first use only: a transport that streams the list never asks for it.
    get object(): KubeObject {
      whole ??= materializeList(items) as unknown as KubeObject;
      return whole;
    },
  };
}

/** GET with watch: a stream of events. A name in the call watches that one object. */
export async function handleWatch({ call, store, settings }: HandlerScope): Promise<ApiResult> {
  const query = listQuery(call.options);
  if (call.name) {
    // A named watch is a filtered collection watch: the name never becomes a key, but it
    // obeys the same path-segment rules as a get of that name.
    const problems = pathSegmentNameProblems(call.name);
    if (problems.length) throw badRequest(`Name parameter invalid: ${JSON.stringify(call.name)}: ${problems.join(';')}`);
    const byName = `metadata.name=${call.name}`;
    query.fieldSelector = query.fieldSelector ? `${query.fieldSelector},${byName}` : byName;
  }
  const events = query.sendInitialEvents ? await watchList(store, call, query) : await store.watch(call.namespace, query, call.signal);
  const timeoutSeconds =
    query.timeoutSeconds && query.timeoutSeconds > 0
      ? Math.min(query.timeoutSeconds, MAX_WATCH_TIMEOUT_SECONDS)
      : Math.floor(MIN_REQUEST_TIMEOUT_SECONDS * (1 + Math.random()));
  const def = store.definition;
  const stream = watchStream(events, {
    timeoutMs: timeoutSeconds * 1000,
    bookmarkIntervalMs: query.allowWatchBookmarks ? (settings.bookmarkIntervalMs ?? DEFAULT_BOOKMARK_INTERVAL_MS) : undefined,
    kind: def.kind,
    apiVersion: definitionApiVersion(def),
    ...(query.resourceVersion !== undefined ? { resourceVersion: query.resourceVersion } : {}),
    signal: call.signal,
  });
  return { type: 'watch', events: stream };
}

/**
 * Watch-list (`sendInitialEvents=true`): the current state as ADDED events, a BOOKMARK
 * annotated `k8s.io/initial-events-end`, then live changes after the state's revision.
 */
async function watchList(store: ResourceStore, call: ResolvedCall, query: ListQuery): Promise<AsyncIterable<WatchEvent>> {
  if (!query.allowWatchBookmarks) {
    throw invalidWatch('allowWatchBookmarks', 'sendInitialEvents is forbidden unless allowWatchBookmarks is true');
  }
  if (query.resourceVersionMatch !== 'NotOlderThan') {
    throw invalidWatch('resourceVersionMatch', "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan");
  }
  const { resourceVersionMatch: _m, limit: _l, continue: _c, sendInitialEvents: _s, ...selectors } = query;
  const items: KubeObject[] = [];
  let rv = '';
  let page: string | undefined;
  do {
    const pageQuery: ListQuery = { labelSelector: selectors.labelSelector ?? '', fieldSelector: selectors.fieldSelector ?? '', limit: 500 };
    if (page) pageQuery.continue = page;
    const list = await store.list(call.namespace, pageQuery);
    if (!rv) rv = list.metadata.resourceVersion ?? '';
    items.push(...list.items);
    page = list.metadata.continue;
  } while (page);
  const live = await store.watch(call.namespace, { ...selectors, resourceVersion: rv }, call.signal);
  const def = store.definition;
  const apiVersion = definitionApiVersion(def);
  return (async function* () {
    for (const item of items) yield { type: 'ADDED', object: { apiVersion, kind: def.kind, ...item } } as WatchEvent;
    yield {
      type: 'BOOKMARK',
      object: { kind: def.kind, apiVersion, metadata: { resourceVersion: rv, annotations: { [INITIAL_EVENTS_END]: 'true' } } },
    } as WatchEvent;
    yield* live;
  })();
}

function invalidWatch(field: string, detail: string): ApiError {
  const body = `Forbidden: ${detail}`;
  return new ApiError('Invalid', `ListOptions.meta.k8s.io "" is invalid: ${field}: ${body}`, {
    group: 'meta.k8s.io',
    kind: 'ListOptions',
    causes: [{ reason: 'FieldValueForbidden', message: body, field }],
  });
}
