/**
 * The `default` ServiceAccount of every namespace, as upstream's serviceaccounts
 * controller keeps it: created as soon as a namespace appears (and for every namespace
 * already stored when the server starts), and created again when someone deletes it.
 * Terminating namespaces refuse it, which is what they should do.
 */
import { ApiError } from '../machinery/errors/index.js';
import type { KubeObject } from '../machinery/meta/object.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';

/** The ServiceAccount every namespace has. */
export const DEFAULT_SERVICE_ACCOUNT = 'default';

async function ensure(serviceAccounts: ResourceStore, namespace: string): Promise<void> {
  try {
    await serviceAccounts.create(namespace, { metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } }, {});
  } catch (err) {
    // There already, the namespace gone or terminating: nothing to do.
    if (err instanceof ApiError && ['AlreadyExists', 'NotFound', 'Forbidden'].includes(err.reason)) return;
    throw err;
  }
}

/** Follows `store` with a watch, restarting it after a failure, until `signal` aborts. */
export async function follow(
  store: ResourceStore,
  signal: AbortSignal,
  onEvent: (type: string, ns: string, name: string, terminating: boolean, object: KubeObject) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      const events = await store.watch(undefined, {}, signal);
      for await (const ev of events) {
        if (ev.type === 'ERROR') break;
        const meta = ev.object.metadata ?? {};
        onEvent(ev.type, meta.namespace ?? '', meta.name ?? '', meta.deletionTimestamp !== undefined, ev.object);
      }
    } catch {
      // The watch failed (storage restart): start over after a pause.
    }
    if (!signal.aborted) await new Promise((r) => setTimeout(r, 500));
  }
}

/** Runs the controller until `signal` aborts. */
export function startServiceAccountController(namespaces: ResourceStore, serviceAccounts: ResourceStore, signal: AbortSignal): Promise<void> {
  const run = (namespace: string): void => {
    if (!signal.aborted) void ensure(serviceAccounts, namespace).catch(() => undefined);
  };
  return Promise.all([
    follow(namespaces, signal, (type, _ns, name, terminating) => {
      if (type === 'ADDED' && !terminating && name) run(name);
    }),
    follow(serviceAccounts, signal, (type, ns, name) => {
      if (type === 'DELETED' && name === DEFAULT_SERVICE_ACCOUNT && ns) run(ns);
    }),
  ]).then(() => undefined);
}
