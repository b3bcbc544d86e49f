/**
 * A client for the server's own API, through the same pipeline as every request (the role of
 * kube-apiserver's loopback clientset): writes made with it are decoded, validated and
 * recorded in managedFields exactly as a client's would be. Controllers in the server that
 * upstream runs over the loopback client use it.
 */
import type { ApiCall, ApiHandler, CallOptions, Verb } from '../endpoints/api-call.js';
import { ApiError } from '../machinery/errors/index.js';
import type { KubeObject } from '../machinery/meta/object.js';
import type { WatchEvent } from '../registry/rest/resource-store.js';

/** Who in-server callers are (upstream's loopback identity). */
const LOOPBACK_USER = { name: 'system:apiserver', groups: ['system:authenticated', 'system:masters'] };

/** One cluster-scoped resource of one group version, as the loopback client reaches it. */
export interface LoopbackResource {
  get(name: string): Promise<KubeObject | undefined>;
  list(): Promise<KubeObject[]>;
  watch(signal: AbortSignal): Promise<AsyncIterable<WatchEvent>>;
  create(obj: KubeObject, fieldManager: string): Promise<KubeObject>;
  /** A PUT of the whole object; its resourceVersion makes it conditional. */
  update(obj: KubeObject, fieldManager: string): Promise<KubeObject>;
  /** A server-side apply of `patch` (forced) to the object or its subresource. */
  apply(name: string, patch: KubeObject, fieldManager: string, subresource?: string): Promise<KubeObject>;
  /** Deletes when the object is still at `resourceVersion`. */
  delete(name: string, resourceVersion?: string): Promise<void>;
}

const json = (obj: unknown, contentType = 'application/json') => ({ type: 'encoded' as const, data: new TextEncoder().encode(JSON.stringify(obj)), contentType });

/** The loopback client of `group/version` `resource` (cluster-scoped) over `handler`. */
export function loopbackResource(handler: ApiHandler, group: string, version: string, resource: string, signal: AbortSignal): LoopbackResource {
  const call = async (verb: Verb, rest: Partial<ApiCall> & { options?: CallOptions } = {}) => {
    const result = await handler({ action: { verb }, group, version, resource, credentials: { inProcess: true }, user: LOOPBACK_USER, signal, options: {}, ...rest });
    if (result.type === 'object') return result.object;
    if (result.type === 'watch') return result.events;
    throw new Error(`unexpected ${result.type} result`);
  };
  return {
    async get(name) {
      try {
        return (await call('get', { name })) as KubeObject;
      } catch (err) {
        if (err instanceof ApiError && err.reason === 'NotFound') return undefined;
        throw err;
      }
    },
    async list() {
      return ((await call('list')) as { items?: KubeObject[] }).items ?? [];
    },
    async watch(watchSignal) {
      const result = await handler({ action: { verb: 'watch' }, group, version, resource, credentials: { inProcess: true }, user: LOOPBACK_USER, signal: watchSignal, options: {} });
      if (result.type !== 'watch') throw new Error(`unexpected ${result.type} result`);
      return result.events;
    },
    async create(obj, fieldManager) {
      return (await call('create', { body: json(obj), options: { fieldManager } })) as KubeObject;
    },
    async update(obj, fieldManager) {
      return (await call('update', { name: obj.metadata?.name, body: json(obj), options: { fieldManager } })) as KubeObject;
    },
    async apply(name, patch, fieldManager, subresource) {
      return (await call('patch', { name, ...(subresource ? { subresource } : {}), body: json(patch, 'application/apply-patch+yaml'), options: { fieldManager, force: true } })) as KubeObject;
    },
    async delete(name, resourceVersion) {
      await call('delete', { name, options: resourceVersion ? { preconditions: { resourceVersion } } : {} });
    },
  };
}

/**
 * Calls `onEvent` with the type (and object) of every event of `resource`'s watch, restarting
 * the watch after a failure (storage restart) after a pause, until `signal` aborts.
 */
export async function followLoopback(resource: LoopbackResource, signal: AbortSignal, onEvent: (type: WatchEvent['type'], object: KubeObject) => void): Promise<void> {
  while (!signal.aborted) {
    try {
      for await (const ev of await resource.watch(signal)) {
        if (ev.type === 'ERROR') break;
        onEvent(ev.type, ev.object);
      }
    } catch {
      // The watch failed: start over after the pause.
    }
    if (!signal.aborted) await new Promise((r) => setTimeout(r, 500));
  }
}
