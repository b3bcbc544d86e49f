/**
 * Namespace lifecycle: creating in a missing namespace is NotFound, in a terminating
 * one Forbidden (upstream's NamespaceLifecycle admission), and a namespace marked for
 * deletion has its contents removed before it goes (upstream's namespace controller).
 */
import { ApiError, notFound, qualifiedResource, type Qualified } from '../machinery/errors/index.js';
import type { KubeObject } from '../machinery/meta/object.js';
import type { NamespaceCheck } from '../registry/generic/store.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';

/**
 * Namespaces as last seen by the namespace watch, so that creates need no extra storage
 * read; a miss falls back to a live read (the namespace may be newer than the cache).
 */
export class NamespaceCache {
  private readonly known = new Map<string, KubeObject>();

  /** Applies a watch event. */
  observe(type: string, ns: KubeObject): void {
    const name = ns.metadata?.name;
    if (!name) return;
    if (type === 'DELETED') this.known.delete(name);
    else this.known.set(name, ns);
  }

  get(name: string): KubeObject | undefined {
    return this.known.get(name);
  }

  clear(): void {
    this.known.clear();
  }
}

/** The check the generic store runs before creating namespaced objects. */
export function namespaceCheck(namespaces: () => ResourceStore, cache: NamespaceCache): NamespaceCheck {
  return async (namespace: string, q: Qualified, name: string) => {
    let ns = cache.get(namespace);
    if (!ns) {
      try {
        ns = await namespaces().get(undefined, namespace);
      } catch (err) {
        if (err instanceof ApiError && err.reason === 'NotFound') throw notFound({ resource: 'namespaces', group: '' }, namespace);
        throw err;
      }
    }
    if (ns.metadata?.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
      throw new ApiError(
        'Forbidden',
        `${qualifiedResource(q)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        { name, ...(q.group ? { group: q.group } : {}), kind: q.resource },
      );
    }
  };
}

/**
 * Watches namespaces: keeps the cache current and finalizes terminating namespaces
 * (deletes their contents, drops the finalizer, removes them).
 */
export function startNamespaceController(
  namespaces: ResourceStore,
  all: () => ResourceStore[],
  cache: NamespaceCache,
  signal: AbortSignal,
): Promise<void> {
  const finalize = async (ns: KubeObject): Promise<void> => {
    const name = ns.metadata?.name ?? '';
    for (const store of all()) {
      if (!store.definition.namespaced) continue;
      const list = await store.list(name, {});
      for (const item of list.items) {
        await store.delete(name, item.metadata?.name ?? '', {}).catch(ignoreNotFound);
      }
    }
    await namespaces
      .update(
        undefined,
        name,
        (cur) => {
          const spec = { ...((cur.spec as Record<string, unknown> | undefined) ?? {}) };
          spec.finalizers = ((spec.finalizers as string[] | undefined) ?? []).filter((f) => f !== 'kubernetes');
          if ((spec.finalizers as string[]).length === 0) delete spec.finalizers;
          return { ...cur, spec };
        },
        { target: 'main' },
      )
      .catch(ignoreNotFound);
    await namespaces.delete(undefined, name, {}).catch(ignoreNotFound);
  };

  const run = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        cache.clear();
        const events = await namespaces.watch(undefined, {}, signal);
        for await (const ev of events) {
          if (ev.type === 'ERROR') break;
          cache.observe(ev.type, ev.object);
          if ((ev.type === 'ADDED' || ev.type === 'MODIFIED') && ev.object.metadata?.deletionTimestamp) {
            await finalize(ev.object).catch(() => undefined);
          }
        }
      } catch {
        // The watch failed (e.g. storage restart): start over after a pause.
      }
      if (!signal.aborted) await new Promise((r) => setTimeout(r, 500));
    }
  };
  return run();
}

function ignoreNotFound(err: unknown): void {
  if (err instanceof ApiError && err.reason === 'NotFound') return;
  throw err;
}
