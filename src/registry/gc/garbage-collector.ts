/**
 * The garbage collector, in the server process: one generic controller over every
 * installed resource (upstream's kube-controller-manager garbagecollector, observed
 * through the same stores the API serves).
 *
 * It watches every resource, keeps a graph of who owns whom (by uid), and acts:
 * - an object all of whose owners are gone (missing, or a different uid under the name)
 *   is deleted, in the background unless its own finalizers say otherwise;
 * - references to gone owners are dropped from objects that still have a live owner;
 * - an owner with the `orphan` finalizer has the references to it removed from its
 *   dependents, then loses the finalizer (and goes);
 * - an owner with `foregroundDeletion` has its dependents deleted and loses the finalizer
 *   once no dependent with `blockOwnerDeletion` is left;
 * - a cluster-scoped object naming a namespaced owner is never collected; the collector
 *   records upstream's `OwnerRefInvalidNamespace` warning event about it.
 */
import { ApiError } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../generic/delete-plan.js';
import type { ResourceStore } from '../rest/resource-store.js';
import { recordOwnerRefInvalidNamespace } from './events.js';
import { classifyReference, ownerReferences, type OwnerReference } from './owners.js';

/** What the collector needs. */
export interface GarbageCollectorOptions {
  /** Every installed resource's storage-version store; read again on `refresh()`. */
  stores: () => readonly ResourceStore[];
  signal: AbortSignal;
}

/** A running collector. */
export interface GarbageCollector {
  /** Starts watching resources installed since, stops watching removed ones. */
  refresh(): void;
  /** Settles once the collector has stopped (signal aborted). */
  done: Promise<void>;
}

/** The manager name the collector's writes carry (upstream's controller manager). */
const MANAGER = 'kube-controller-manager';
const RETRY_BASE_MS = 50;
const MAX_RETRIES = 8;

/** One observed object. */
interface GraphNode {
  store: ResourceStore;
  namespace: string | undefined;
  name: string;
  uid: string;
  owners: OwnerReference[];
  deleting: boolean;
  finalizers: string[];
}

type Task = 'attempt' | 'orphan' | 'foreground';

const notFound = (err: unknown): boolean => err instanceof ApiError && (err.reason === 'NotFound' || err.reason === 'Conflict');

/** Starts the collector; it runs until `signal` aborts. */
export function startGarbageCollector(opts: GarbageCollectorOptions): GarbageCollector {
  const { signal } = opts;
  const nodes = new Map<string, GraphNode>();
  const dependents = new Map<string, Set<string>>();
  const watched = new Map<ResourceStore, AbortController>();
  const loops = new Set<Promise<void>>();
  const reported = new Set<string>();

  const link = (node: GraphNode): void => {
    for (const ref of node.owners) {
      let set = dependents.get(ref.uid);
      if (!set) dependents.set(ref.uid, (set = new Set()));
      set.add(node.uid);
    }
  };
  const unlink = (node: GraphNode): void => {
    for (const ref of node.owners) {
      const set = dependents.get(ref.uid);
      set?.delete(node.uid);
      if (set && set.size === 0) dependents.delete(ref.uid);
    }
  };
  const deletingInForeground = (n: GraphNode | undefined): boolean => !!n && n.deleting && n.finalizers.includes(FOREGROUND_FINALIZER);

  // ---- work queue: one run per (task, uid) at a time; a request during a run reruns it.
  const queued = new Set<string>();
  const running = new Set<string>();
  const again = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const schedule = (task: Task, uid: string, retry = 0): void => {
    if (signal.aborted) return;
    const key = `${task}/${uid}`;
    if (running.has(key)) {
      again.add(key);
      return;
    }
    if (queued.has(key)) return;
    queued.add(key);
    queueMicrotask(() => void run(task, uid, key, retry));
  };
  const run = async (task: Task, uid: string, key: string, retry: number): Promise<void> => {
    queued.delete(key);
    running.add(key);
    let failed = false;
    try {
      if (task === 'attempt') await attemptToDelete(uid);
      else if (task === 'orphan') await orphanDependents(uid);
      else await deleteDependents(uid);
    } catch {
      // Retried with backoff below (storage hiccup, a conflicting write).
      failed = true;
    }
    running.delete(key);
    if (signal.aborted) return;
    if (again.delete(key)) schedule(task, uid);
    else if (failed && retry < MAX_RETRIES) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        schedule(task, uid, retry + 1);
      }, RETRY_BASE_MS * 2 ** retry);
      timers.add(timer);
    }
  };
  signal.addEventListener('abort', () => timers.forEach((t) => clearTimeout(t)), { once: true });

  // ---- reading and writing objects.
  const latest = async (node: GraphNode): Promise<KubeObject | undefined> => {
    try {
      const obj = await node.store.get(node.namespace, node.name);
      return obj.metadata?.uid === node.uid ? obj : undefined;
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  };
  /** Updates the object `node` names if it is still that object; gone is fine. */
  const updateNode = async (node: GraphNode, change: (obj: KubeObject) => KubeObject): Promise<void> => {
    try {
      await node.store.update(
        node.namespace,
        node.name,
        (cur) => {
          if (cur.metadata?.uid !== node.uid) throw new ApiError('NotFound', 'replaced');
          return change(cur);
        },
        { target: 'main', fieldManager: MANAGER },
      );
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  };
  const deleteNode = async (node: GraphNode, propagationPolicy: string): Promise<void> => {
    try {
      await node.store.delete(node.namespace, node.name, { propagationPolicy, preconditions: { uid: node.uid } });
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  };
  const dropOwnerRefs = (uids: Set<string>) => (obj: KubeObject): KubeObject => {
    const refs = ownerReferences(obj).filter((r) => !uids.has(r.uid));
    const metadata = { ...obj.metadata };
    if (refs.length) metadata.ownerReferences = refs;
    else delete metadata.ownerReferences;
    return { ...obj, metadata };
  };
  const dropFinalizer = (finalizer: string) => (obj: KubeObject): KubeObject => {
    const finalizers = (obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    const metadata = { ...obj.metadata };
    if (finalizers.length) metadata.finalizers = finalizers;
    else delete metadata.finalizers;
    return { ...obj, metadata };
  };

  /**
   * The owner's dependents as stored now: the graph's plus any a live scan finds (the
   * graph may not have seen a dependent created just before the owner's deletion).
   */
  const liveDependents = async (owner: GraphNode): Promise<GraphNode[]> => {
    const found = new Map<string, GraphNode>();
    for (const uid of dependents.get(owner.uid) ?? []) {
      const n = nodes.get(uid);
      if (n) found.set(uid, n);
    }
    for (const store of opts.stores()) {
      if (owner.store.definition.namespaced && !store.definition.namespaced) continue;
      const list = await store.list(owner.store.definition.namespaced ? owner.namespace : undefined, {});
      for (const item of list.items) {
        const uid = item.metadata?.uid;
        if (!uid || found.has(uid)) continue;
        const owners = ownerReferences(item);
        if (!owners.some((r) => r.uid === owner.uid)) continue;
        found.set(uid, nodeOf(store, item));
      }
    }
    return [...found.values()];
  };

  // ---- the three reconcilers.
  /** Upstream's attemptToDeleteItem. */
  async function attemptToDelete(uid: string): Promise<void> {
    const node = nodes.get(uid);
    if (node) await attemptNode(node);
  }

  async function attemptNode(node: GraphNode): Promise<void> {
    const uid = node.uid;
    const obj = await latest(node);
    if (!obj) return;
    const meta = obj.metadata ?? {};
    if (meta.deletionTimestamp) {
      if (meta.finalizers?.includes(FOREGROUND_FINALIZER)) await deleteDependents(uid);
      return;
    }
    const refs = ownerReferences(obj);
    if (!refs.length) return;
    const stores = opts.stores();
    const solid: OwnerReference[] = [];
    const gone: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const state = await classifyReference(stores, ref, node.namespace || undefined);
      if (state === 'invalid') {
        await reportInvalidNamespace(node, ref);
        return;
      }
      if (state === 'dangling') gone.push(ref);
      else if (state === 'waiting') waiting.push(ref);
      else solid.push(ref);
    }
    if (solid.length) {
      if (!gone.length && !waiting.length) return;
      await updateNode(node, dropOwnerRefs(new Set([...gone, ...waiting].map((r) => r.uid))));
      return;
    }
    if (waiting.length && (dependents.get(uid)?.size ?? 0) > 0) {
      // Deleted in the foreground too, so that its own blocking dependents go first.
      const cycle = [...(dependents.get(uid) ?? [])].some((d) => deletingInForeground(nodes.get(d)));
      if (cycle) {
        await updateNode(node, (o) => ({
          ...o,
          metadata: { ...o.metadata, ownerReferences: ownerReferences(o).map((r) => ({ ...r, blockOwnerDeletion: false })) },
        }));
      }
      await deleteNode(node, 'Foreground');
      return;
    }
    const finalizers = meta.finalizers ?? [];
    const policy = finalizers.includes(ORPHAN_FINALIZER) ? 'Orphan' : finalizers.includes(FOREGROUND_FINALIZER) ? 'Foreground' : 'Background';
    await deleteNode(node, policy);
  }

  /** Upstream's orphanDependents + removal of the `orphan` finalizer. */
  async function orphanDependents(uid: string): Promise<void> {
    const node = nodes.get(uid);
    if (!node) return;
    const obj = await latest(node);
    if (!obj?.metadata?.deletionTimestamp || !obj.metadata.finalizers?.includes(ORPHAN_FINALIZER)) return;
    for (const dep of await liveDependents(node)) await updateNode(dep, dropOwnerRefs(new Set([uid])));
    await updateNode(node, dropFinalizer(ORPHAN_FINALIZER));
  }

  /** Upstream's processDeletingDependentsItem. */
  async function deleteDependents(uid: string): Promise<void> {
    const node = nodes.get(uid);
    if (!node) return;
    const obj = await latest(node);
    if (!obj?.metadata?.deletionTimestamp || !obj.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) return;
    const deps = await liveDependents(node);
    const blocking = deps.filter((d) => d.owners.some((r) => r.uid === uid && r.blockOwnerDeletion === true));
    if (!blocking.length) {
      await updateNode(node, dropFinalizer(FOREGROUND_FINALIZER));
      return;
    }
    for (const dep of deps) {
      if (deletingInForeground(dep)) continue;
      // A dependent the graph has not seen yet is handled directly.
      if (nodes.has(dep.uid)) schedule('attempt', dep.uid);
      else await attemptNode(dep);
    }
  }

  async function reportInvalidNamespace(node: GraphNode, ref: OwnerReference): Promise<void> {
    const key = `${node.uid}/${ref.uid}`;
    // Upstream reports it when the owner has been observed (it exists somewhere).
    if (reported.has(key) || !nodes.has(ref.uid)) return;
    reported.add(key);
    await recordOwnerRefInvalidNamespace(opts.stores(), node.store.definition, { name: node.name, uid: node.uid, namespace: node.namespace }, ref).catch(() => undefined);
  }

  // ---- observing.
  function nodeOf(store: ResourceStore, obj: KubeObject): GraphNode {
    const meta = obj.metadata ?? {};
    return {
      store,
      namespace: store.definition.namespaced ? meta.namespace : undefined,
      name: meta.name ?? '',
      uid: meta.uid ?? '',
      owners: ownerReferences(obj),
      deleting: !!meta.deletionTimestamp,
      finalizers: meta.finalizers ?? [],
    };
  }

  function observe(store: ResourceStore, type: string, obj: KubeObject): void {
    const uid = obj.metadata?.uid;
    if (!uid) return;
    const old = nodes.get(uid);
    if (old) unlink(old);
    const owners = new Set([...(old?.owners ?? []), ...ownerReferences(obj)].map((r) => r.uid));
    if (type === 'DELETED') {
      nodes.delete(uid);
      for (const dep of dependents.get(uid) ?? []) schedule('attempt', dep);
    } else {
      const node = nodeOf(store, obj);
      nodes.set(uid, node);
      link(node);
      const needsCheck = node.owners.some((r) => {
        const owner = nodes.get(r.uid);
        return !owner || deletingInForeground(owner) || (!node.namespace && !!owner.namespace);
      });
      if (needsCheck && !node.deleting) schedule('attempt', uid);
      if (node.deleting && node.finalizers.includes(ORPHAN_FINALIZER)) schedule('orphan', uid);
      if (node.deleting && node.finalizers.includes(FOREGROUND_FINALIZER)) schedule('foreground', uid);
    }
    // Owners deleting in the foreground wait for this dependent: look again.
    for (const ownerUid of owners) if (deletingInForeground(nodes.get(ownerUid))) schedule('foreground', ownerUid);
  }

  function watchStore(store: ResourceStore, stop: AbortController): Promise<void> {
    const run = async (): Promise<void> => {
      while (!stop.signal.aborted) {
        try {
          const events = await store.watch(undefined, {}, stop.signal);
          for await (const ev of events) {
            if (ev.type === 'ERROR') break;
            if (ev.type === 'BOOKMARK') continue;
            observe(store, ev.type, ev.object);
          }
        } catch {
          // The watch failed (e.g. storage restart): start over after a pause.
        }
        if (!stop.signal.aborted) await new Promise((r) => setTimeout(r, 200));
      }
    };
    return run();
  }

  function refresh(): void {
    if (signal.aborted) return;
    const current = new Set(opts.stores());
    for (const [store, stop] of watched) {
      if (!current.has(store)) {
        stop.abort();
        watched.delete(store);
      }
    }
    for (const store of current) {
      if (watched.has(store)) continue;
      const stop = new AbortController();
      watched.set(store, stop);
      const loop = watchStore(store, stop);
      loops.add(loop);
      void loop.finally(() => loops.delete(loop));
    }
  }

  const done = new Promise<void>((resolve) => {
    const finish = (): void => {
      for (const stop of watched.values()) stop.abort();
      void Promise.allSettled([...loops]).then(() => resolve());
    };
    if (signal.aborted) finish();
    else signal.addEventListener('abort', finish, { once: true });
  });
  refresh();
  // Installing a resource announces it before its store is listed: look once that is done.
  return { refresh: () => queueMicrotask(refresh), done };
}
