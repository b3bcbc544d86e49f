/**
 * The quota controller (upstream's resourcequota controller): each ResourceQuota's
 * `status.hard` follows `spec.hard` and `status.used` is recomputed from the stored objects
 * it covers — when a quota is created or its `spec.hard` changes, when a counted object is
 * deleted or a Pod stops counting (finished, or deleted), at start and every resync period.
 * Admission (endpoints/admission/resource-quota.ts) charges creates as they come; this
 * controller frees what deleted objects used. A recomputation is written only if the quota
 * was not charged meanwhile (a compare-and-swap on the resourceVersion it read), else it is
 * done again.
 */
import { countedResource, quotaMatches, usageOf } from '../endpoints/admission/quota-usage.js';
import { addQuantity, type ResourceList } from '../endpoints/admission/quantities.js';
import { jsonEqual, type KubeObject } from '../machinery/meta/object.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';
import { follow } from './serviceaccount-controller.js';

/** What the controller works with. */
export interface ResourceQuotaControllerOptions {
  quotas: ResourceStore;
  /** The storage store of a resource, when it is installed. */
  storage(group: string, resource: string): ResourceStore | undefined;
  signal: AbortSignal;
  /** How often every namespace with quotas is recomputed (ms). */
  resyncMs?: number;
}

/** Upstream's controller-manager resyncs every 5 minutes; a lone server can afford sooner. */
const DEFAULT_RESYNC_MS = 30_000;
/** Changes arriving together are recomputed once. */
const DEBOUNCE_MS = 50;
/** A recomputation that lost to a charge is tried again after this long. */
const STALE_RETRY_MS = 100;

/** Resources whose deletions free quota, watched for them (others wait for the resync). */
const WATCHED: readonly { group: string; resource: string }[] = [
  { group: '', resource: 'pods' },
  { group: '', resource: 'services' },
  { group: '', resource: 'configmaps' },
  { group: '', resource: 'secrets' },
  { group: '', resource: 'persistentvolumeclaims' },
  { group: '', resource: 'replicationcontrollers' },
];

/** The quota's status as the stored objects make it. */
async function computeStatus(quota: KubeObject, list: (group: string, resource: string) => Promise<KubeObject[]>): Promise<{ hard: ResourceList; used: ResourceList }> {
  const hard = { ...(((quota.spec as { hard?: ResourceList } | undefined)?.hard ?? {}) as ResourceList) };
  const used: ResourceList = {};
  const now = Date.now();
  for (const name of Object.keys(hard)) {
    const counted = countedResource(name);
    let total: string | undefined;
    if (counted) {
      for (const obj of await list(counted.group, counted.resource)) {
        if (!quotaMatches(quota, counted.group, counted.resource, obj)) continue;
        const v = usageOf(counted.group, counted.resource, obj, now)[name];
        if (v !== undefined) total = addQuantity(total, v);
      }
    }
    used[name] = total ?? '0';
  }
  return { hard, used };
}

/** Runs until the signal aborts. */
export function startResourceQuotaController(opts: ResourceQuotaControllerOptions): Promise<void> {
  const { quotas, signal } = opts;
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;

  /** Recomputes a namespace's quotas; false when one was charged meanwhile (to be done again). */
  const recompute = async (namespace: string): Promise<boolean> => {
    const items = (await quotas.list(namespace, {})).items;
    if (items.length === 0) return true;
    const lists = new Map<string, Promise<KubeObject[]>>();
    const list = (group: string, resource: string): Promise<KubeObject[]> => {
      const key = `${group}/${resource}`;
      let p = lists.get(key);
      if (!p) {
        const store = opts.storage(group, resource);
        p = store ? store.list(namespace, {}).then((l) => l.items) : Promise.resolve([]);
        lists.set(key, p);
      }
      return p;
    };
    for (const quota of items) {
      const status = await computeStatus(quota, list);
      const current = (quota.status ?? {}) as { hard?: ResourceList; used?: ResourceList };
      if (jsonEqual(current.hard ?? {}, status.hard) && jsonEqual(current.used ?? {}, status.used)) continue;
      const seen = quota.metadata?.resourceVersion;
      let stale = false;
      await quotas.update(
        namespace,
        quota.metadata?.name ?? '',
        (stored) => {
          // Charged (or changed) since it was read: what was listed may miss the charged object.
          if (stored.metadata?.resourceVersion !== seen) {
            stale = true;
            return stored;
          }
          return { ...stored, status: { ...((stored.status as object | undefined) ?? {}), hard: status.hard, used: status.used } };
        },
        { target: 'status' },
      );
      if (stale) return false;
    }
    return true;
  };

  const drain = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      while (pending.size && !signal.aborted) {
        const [ns] = pending;
        pending.delete(ns!);
        // Charged meanwhile: again shortly. A failure waits for the next resync.
        const done = await recompute(ns!).catch(() => true);
        if (!done && !signal.aborted) setTimeout(() => schedule(ns!), STALE_RETRY_MS);
      }
    } finally {
      running = false;
    }
  };

  const schedule = (namespace: string): void => {
    if (signal.aborted || !namespace) return;
    pending.add(namespace);
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain();
    }, DEBOUNCE_MS);
  };

  const resyncAll = async (): Promise<void> => {
    const all = await quotas.list(undefined, {}).catch(() => undefined);
    for (const q of all?.items ?? []) schedule(q.metadata?.namespace ?? '');
  };
  void resyncAll();
  const resync = setInterval(() => void resyncAll(), opts.resyncMs ?? DEFAULT_RESYNC_MS);
  signal.addEventListener(
    'abort',
    () => {
      clearInterval(resync);
      if (timer) clearTimeout(timer);
    },
    { once: true },
  );

  const watches = [
    follow(quotas, signal, (type, ns, _name, _terminating, obj) => {
      if (type !== 'ADDED' && type !== 'MODIFIED') return;
      const spec = ((obj.spec as { hard?: ResourceList } | undefined)?.hard ?? {}) as ResourceList;
      const status = ((obj.status as { hard?: ResourceList } | undefined)?.hard ?? {}) as ResourceList;
      if (!jsonEqual(spec, status)) schedule(ns);
    }),
    ...WATCHED.map(({ group, resource }) => {
      const store = opts.storage(group, resource);
      if (!store) return Promise.resolve();
      return follow(store, signal, (type, ns, _name, terminating, obj) => {
        const phase = (obj.status as { phase?: string } | undefined)?.phase;
        const stopped = resource === 'pods' && type === 'MODIFIED' && (terminating || phase === 'Succeeded' || phase === 'Failed');
        if (type === 'DELETED' || stopped) schedule(ns);
      });
    }),
  ];
  return Promise.all(watches).then(() => undefined);
}
