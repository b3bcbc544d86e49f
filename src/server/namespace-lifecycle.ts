/**
 * The namespace controller: a namespace marked for deletion has its contents removed before
 * it goes (upstream's namespace controller); its watch also keeps the cache the
 * NamespaceLifecycle admission plugin reads (endpoints/admission/namespace-lifecycle.ts).
 */
import type { NamespaceCache } from '../endpoints/admission/namespace-lifecycle.js';
import { ApiError } from '../machinery/errors/index.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';

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
  /** Deletes a terminating namespace's contents; true once nothing is left in it. */
  const deleteContents = async (name: string): Promise<boolean> => {
    let empty = true;
    for (const store of all()) {
      if (!store.definition.namespaced) continue;
      const list = await store.list(name, {});
      for (const item of list.items) {
        // Background, as upstream's namespace deleter: a kind that orphans by default (batch/v1 Job) must not hold the namespace.
        const outcome = await store.delete(name, item.metadata?.name ?? '', { propagationPolicy: 'Background' }).catch(ignoreNotFound);
        // Objects held by finalizers linger; the namespace waits for them.
        if (outcome && !outcome.gone) empty = false;
      }
    }
    return empty;
  };

  /** Drops the `kubernetes` finalizer once the namespace is empty, which removes the namespace. */
  const finalize = async (name: string): Promise<boolean> => {
    if (!(await deleteContents(name))) return false;
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
    return true;
  };

  // One finalization per namespace at a time, off the watch loop, retried until done.
  const inProgress = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const schedule = (name: string): void => {
    if (inProgress.has(name) || signal.aborted) return;
    inProgress.add(name);
    void finalize(name)
      .catch(() => false)
      .then((done) => {
        inProgress.delete(name);
        if (done || signal.aborted) return;
        const timer = setTimeout(() => {
          timers.delete(timer);
          schedule(name);
        }, FINALIZE_RETRY_MS);
        timers.add(timer);
      });
  };
  signal.addEventListener('abort', () => timers.forEach((t) => clearTimeout(t)), { once: true });

  const run = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        cache.clear();
        const events = await namespaces.watch(undefined, {}, signal);
        for await (const ev of events) {
          if (ev.type === 'ERROR') break;
          cache.observe(ev.type, ev.object);
          const name = ev.object.metadata?.name;
          if ((ev.type === 'ADDED' || ev.type === 'MODIFIED') && ev.object.metadata?.deletionTimestamp && name) schedule(name);
        }
      } catch {
        // The watch failed (e.g. storage restart): start over after a pause.
      }
      if (!signal.aborted) await new Promise((r) => setTimeout(r, 500));
    }
  };
  return run();
}

/** How soon a namespace whose contents are not all gone is tried again. */
const FINALIZE_RETRY_MS = 1000;

function ignoreNotFound(err: unknown): undefined {
  if (err instanceof ApiError && err.reason === 'NotFound') return undefined;
  throw err;
}
