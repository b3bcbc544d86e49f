/**
 * Informer-style clients for convergence tests: list, then watch from the list's
 * resourceVersion with bookmarks; on 410 Expired (or another ERROR event) re-list and
 * re-watch, on a dropped or refused connection re-watch from the last resourceVersion after
 * a short backoff — as client-go's reflector does. Each keeps a local store keyed by
 * `namespace/name` with resourceVersions, and a record of what it received so a test can
 * check that no event was lost, repeated or delivered out of order.
 *
 * Transports: raw HTTP (node:http, JSON lines), gRPC (the generated ConfigMapService client)
 * and @kubernetes/client-node's own informer (`makeInformer`), wrapped to record the same.
 */
import { httpClient } from './raw-http.js';
import { Metadata, type ChannelCredentials, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { CoreV1Api, KubeConfig, makeInformer, type Informer, type ObjectCache, type V1ConfigMap } from '@kubernetes/client-node';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';

/** `namespace/name` of an object's metadata. */
export function objectKey(meta: { namespace?: string | undefined; name?: string | undefined } | undefined): string {
  return `${meta?.namespace ?? ''}/${meta?.name ?? ''}`;
}

/** What one client received for one object, in order. */
export interface Observation {
  /** A watch event, an item of a (re)list, or an object a relist showed gone. */
  how: 'ADDED' | 'MODIFIED' | 'DELETED' | 'LIST' | 'LIST-GONE';
  rv: number;
}

/**
 * What a client saw, transport-independent: its store, what it received per object, and the
 * revision ranges it could not have seen event by event (between a watch that failed and the
 * relist that replaced it).
 */
export class Recorder {
  /** The local store: key → resourceVersion. */
  readonly store = new Map<string, number>();
  readonly received = new Map<string, Observation[]>();
  /** Revision ranges `(from, to]` covered by a relist rather than by events. */
  readonly gaps: Array<[number, number]> = [];
  /** Every ordering violation seen (a test asserts this stays empty). */
  readonly violations: string[] = [];
  lastRv = 0;
  lists = 0;
  expired = 0;
  errors = 0;
  /** The last few failures, for diagnostics. */
  readonly errorLog: string[] = [];
  reconnects = 0;
  events = 0;

  constructor(readonly name: string) {}

  private last(key: string): Observation | undefined {
    const seen = this.received.get(key);
    return seen?.[seen.length - 1];
  }

  private push(key: string, o: Observation): void {
    let seen = this.received.get(key);
    if (!seen) this.received.set(key, (seen = []));
    seen.push(o);
  }

  /** A (re)list at `rv` replacing the store. */
  onList(rv: number, items: Array<{ key: string; rv: number }>): void {
    this.gaps.push([this.lists === 0 ? 0 : this.lastRv, rv]);
    this.lists++;
    if (rv < this.lastRv) this.violations.push(`list at ${rv} is older than the ${this.lastRv} already seen`);
    const now = new Set<string>();
    for (const item of items) {
      now.add(item.key);
      const prev = this.last(item.key);
      // A relist repeats unchanged objects; only going backwards is wrong.
      if (prev && prev.how !== 'DELETED' && prev.how !== 'LIST-GONE' && item.rv < prev.rv) {
        this.violations.push(`${item.key}: list shows rv ${item.rv} after ${prev.how} ${prev.rv}`);
      }
      if (!prev || prev.rv !== item.rv) this.push(item.key, { how: 'LIST', rv: item.rv });
      this.store.set(item.key, item.rv);
    }
    for (const key of [...this.store.keys()]) {
      if (now.has(key)) continue;
      this.store.delete(key);
      this.push(key, { how: 'LIST-GONE', rv });
    }
    this.lastRv = rv;
  }

  /** One watch event. */
  onEvent(type: string, key: string, rv: number): void {
    this.events++;
    const prev = this.last(key);
    if (prev && rv <= prev.rv) this.violations.push(`${key}: ${type} at rv ${rv} after ${prev.how} at ${prev.rv}`);
    if (rv <= this.lastRv) this.violations.push(`${key}: ${type} at rv ${rv} not after the watch's ${this.lastRv}`);
    if (type === 'ADDED' && this.store.has(key)) this.violations.push(`${key}: ADDED at ${rv} while present (rv ${this.store.get(key)})`);
    if ((type === 'MODIFIED' || type === 'DELETED') && !this.store.has(key)) this.violations.push(`${key}: ${type} at ${rv} while absent`);
    this.push(key, { how: type as Observation['how'], rv });
    if (type === 'DELETED') this.store.delete(key);
    else this.store.set(key, rv);
    this.lastRv = Math.max(this.lastRv, rv);
  }

  onError(what: string): void {
    this.errors++;
    this.errorLog.push(what);
    if (this.errorLog.length > 5) this.errorLog.shift();
  }

  onBookmark(rv: number): void {
    if (rv < this.lastRv) this.violations.push(`bookmark at ${rv} after ${this.lastRv}`);
    this.lastRv = Math.max(this.lastRv, rv);
  }

  /** True when `rv` fell in a relist's gap (its write may be seen only as a later state). */
  inGap(rv: number): boolean {
    return this.gaps.some(([from, to]) => rv > from && rv <= to);
  }
}

/**
 * A write the server acknowledged, in the order of acknowledgement: `rv` is the
 * resourceVersion it answered; a delete (answered with a Status) has none.
 */
export interface AckedWrite {
  key: string;
  rv?: number;
}

/**
 * Problems with what `rec` received given the acknowledged writes: every acknowledged
 * write outside a relist's gap was received as an event with exactly its resourceVersion;
 * one inside a gap was received, superseded by a later state of the same object, or deleted
 * afterwards.
 */
export function missedWrites(rec: Recorder, acked: AckedWrite[]): string[] {
  const problems: string[] = [];
  for (const [i, w] of acked.entries()) {
    if (w.rv === undefined) continue;
    const seen = rec.received.get(w.key) ?? [];
    // Deleted later: a relist after the delete rightly never shows this state.
    const deletedLater = acked.some((d, j) => j > i && d.key === w.key && d.rv === undefined);
    if (!rec.inGap(w.rv)) {
      if (!seen.some((o) => o.rv === w.rv && o.how !== 'LIST' && o.how !== 'LIST-GONE')) {
        problems.push(`${rec.name}: no event for ${w.key}@${w.rv} (saw ${JSON.stringify(seen)})`);
      }
    } else if (!deletedLater && !seen.some((o) => o.rv >= w.rv!)) {
      problems.push(`${rec.name}: ${w.key}@${w.rv} (in a relist gap) neither seen nor superseded (saw ${JSON.stringify(seen)})`);
    }
  }
  return problems;
}

/** The parts of a client that convergence tests use. */
export interface InformerClient {
  readonly rec: Recorder;
  /** The client's own store: key → resourceVersion. */
  snapshot(): Map<string, number>;
  /** Stop watching until `resume` (a lagging client). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

type Outcome = 'ended' | 'expired' | 'error' | 'connection';

interface Transport {
  list(): Promise<{ rv: number; items: Array<{ key: string; rv: number }> }>;
  /** Starts one watch from `rv`; `stop` ends it, `done` tells how it ended. */
  watch(rv: number, on: { event(type: string, key: string, rv: number): void; bookmark(rv: number): void }): { stop(): void; done: Promise<Outcome> };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The reflector loop over a transport. */
class Reflector implements InformerClient {
  readonly rec: Recorder;
  private stopped = false;
  private paused: { promise: Promise<void>; resolve: () => void } | undefined;
  private current: { stop(): void } | undefined;
  private loop: Promise<void>;

  constructor(name: string, private readonly transport: Transport, private readonly backoffMs = 150) {
    this.rec = new Recorder(name);
    this.loop = this.run();
  }

  snapshot(): Map<string, number> {
    return new Map(this.rec.store);
  }

  pause(): void {
    if (this.paused) return;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.paused = { promise, resolve };
    this.current?.stop();
  }

  resume(): void {
    const p = this.paused;
    this.paused = undefined;
    p?.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.resume();
    this.current?.stop();
    await this.loop;
  }

  private async run(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      if (this.paused) await this.paused.promise;
      if (this.stopped) return;
      if (needList) {
        try {
          const list = await this.transport.list();
          if (this.stopped) return;
          this.rec.onList(list.rv, list.items);
          needList = false;
        } catch (err) {
          this.rec.onError(`list: ${err instanceof Error ? err.message : String(err)}`);
          await sleep(this.backoffMs);
          continue;
        }
      }
      const w = this.transport.watch(this.rec.lastRv, {
        event: (type, key, rv) => this.rec.onEvent(type, key, rv),
        bookmark: (rv) => this.rec.onBookmark(rv),
      });
      this.current = w;
      const outcome = await w.done;
      this.current = undefined;
      if (this.stopped) return;
      this.rec.reconnects++;
      if (outcome === 'expired') {
        this.rec.expired++;
        needList = true;
      } else if (outcome === 'error') {
        this.rec.onError('watch ended with an ERROR event');
        needList = true;
        await sleep(this.backoffMs);
      } else if (outcome === 'connection') {
        await sleep(this.backoffMs);
      }
    }
  }
}

/** Options shared by the informer constructors. */
export interface InformerOptions {
  namespace: string;
  /** Server-side watch timeout: each watch ends after it and is resumed from the last resourceVersion. */
  timeoutSeconds?: number;
}

/** An informer over raw HTTP (node:http or node:https, JSON lines) against `baseUrl()` (followed on each request). */
export function httpInformer(name: string, baseUrl: () => string, o: InformerOptions): InformerClient {
  const path = `/api/v1/namespaces/${o.namespace}/configmaps`;
  const transport: Transport = {
    list: () =>
      new Promise((resolve, reject) => {
        const req = httpClient(baseUrl()).get(`${baseUrl()}${path}`, { headers: { accept: 'application/json' }, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`));
            try {
              const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { metadata: { resourceVersion: string }; items: Array<{ metadata: { namespace: string; name: string; resourceVersion: string } }> };
              resolve({ rv: Number(body.metadata.resourceVersion), items: body.items.map((i) => ({ key: objectKey(i.metadata), rv: Number(i.metadata.resourceVersion) })) });
            } catch (err) {
              reject(err);
            }
          });
        });
        req.setTimeout(10_000, () => req.destroy(new Error('list timed out')));
        req.on('error', reject);
      }),
    watch(rv, on) {
      let settle!: (o: Outcome) => void;
      let settled = false;
      const done = new Promise<Outcome>((r) => (settle = (o) => {
        if (settled) return;
        settled = true;
        r(o);
      }));
      const q = new URLSearchParams({ watch: '1', resourceVersion: String(rv), allowWatchBookmarks: 'true' });
      if (o.timeoutSeconds) q.set('timeoutSeconds', String(o.timeoutSeconds));
      const req = httpClient(baseUrl()).get(`${baseUrl()}${path}?${q}`, { headers: { accept: 'application/json' }, agent: false }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return settle(res.statusCode === 410 ? 'expired' : 'error');
        }
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let i: number;
          while ((i = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, i);
            buffer = buffer.slice(i + 1);
            if (settled) return;
            const ev = JSON.parse(line) as { type: string; object: { code?: number; metadata?: { namespace?: string; name?: string; resourceVersion?: string } } };
            if (ev.type === 'ERROR') {
              settle(ev.object.code === 410 ? 'expired' : 'error');
              req.destroy();
              return;
            }
            const objRv = Number(ev.object.metadata?.resourceVersion);
            if (ev.type === 'BOOKMARK') on.bookmark(objRv);
            else on.event(ev.type, objRv ? objectKey(ev.object.metadata) : '?', objRv);
          }
        });
        res.on('end', () => settle('ended'));
        res.on('error', () => settle('connection'));
        res.on('close', () => settle(res.complete ? 'ended' : 'connection'));
      });
      req.on('error', () => settle('connection'));
      return {
        stop: () => {
          settle('ended');
          req.destroy();
        },
        done,
      };
    },
  };
  return new Reflector(name, transport);
}

/** An informer over gRPC: the generated `ConfigMapService` client's List and Watch. */
export function grpcInformer(name: string, address: string, o: InformerOptions, channel: ChannelCredentials): InformerClient {
  const client = new ConfigMapServiceClient(address, channel, {
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 500,
  });
  const transport: Transport = {
    list: () =>
      new Promise((resolve, reject) => {
        client.list({ namespace: o.namespace, options: {} }, new Metadata(), { deadline: Date.now() + 10_000 }, (err: ServiceError | null, list) => {
          if (err || !list) return reject(err ?? new Error('no list'));
          resolve({
            rv: Number(list.metadata?.resourceVersion),
            items: list.items.map((i) => ({ key: objectKey(i.metadata), rv: Number(i.metadata?.resourceVersion) })),
          });
        });
      }),
    watch(rv, on) {
      let settle!: (o: Outcome) => void;
      let settled = false;
      const done = new Promise<Outcome>((r) => (settle = (out) => {
        if (settled) return;
        settled = true;
        r(out);
      }));
      const stream: ClientReadableStream<{ type?: string; object?: V1ConfigMapLike; status?: { code?: number } }> = client.watch({
        namespace: o.namespace,
        options: { resourceVersion: String(rv), allowWatchBookmarks: true, ...(o.timeoutSeconds ? { timeoutSeconds: o.timeoutSeconds } : {}) },
      });
      stream.on('data', (ev: { type?: string; object?: V1ConfigMapLike; status?: { code?: number } }) => {
        if (settled) return;
        if (ev.type === 'ERROR') {
          settle(ev.status?.code === 410 ? 'expired' : 'error');
          stream.cancel();
          return;
        }
        const objRv = Number(ev.object?.metadata?.resourceVersion);
        if (ev.type === 'BOOKMARK') on.bookmark(objRv);
        else on.event(ev.type ?? '?', objectKey(ev.object?.metadata), objRv);
      });
      // A refused or failed call is UNAVAILABLE (or another code); OK is a watch that ended.
      stream.on('error', (err: ServiceError) => settle(err.code === 14 || err.code === 1 ? 'connection' : 'error'));
      stream.on('status', (s: { code: number }) => settle(s.code === 0 ? 'ended' : 'connection'));
      stream.on('end', () => settle('ended'));
      return {
        stop: () => {
          settle('ended');
          stream.cancel();
        },
        done,
      };
    },
  };
  const reflector = new Reflector(name, transport);
  const stop = reflector.stop.bind(reflector);
  reflector.stop = async () => {
    await stop();
    client.close();
  };
  return reflector;
}

interface V1ConfigMapLike {
  metadata?: { namespace?: string | undefined; name?: string | undefined; resourceVersion?: string | undefined } | undefined;
}

/**
 * @kubernetes/client-node's informer (`makeInformer`), restarted after an error as its
 * documentation advises, recording what its callbacks deliver. Items of a (re)list are told
 * apart from watch events by the list function, which the informer calls itself.
 */
export function clientNodeInformer(name: string, kubeconfigPath: string, o: InformerOptions): InformerClient {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const rec = new Recorder(name);
  let inList = false;
  const listFn = async () => {
    const list = await core.listNamespacedConfigMap({ namespace: o.namespace });
    rec.onList(
      Number(list.metadata?.resourceVersion),
      list.items.map((i) => ({ key: objectKey(i.metadata), rv: Number(i.metadata?.resourceVersion) })),
    );
    // The informer applies the list synchronously once this resolves; its callbacks until
    // then repeat what onList recorded.
    inList = true;
    setImmediate(() => (inList = false));
    return list;
  };
  const informer: Informer<V1ConfigMap> & ObjectCache<V1ConfigMap> = makeInformer(kc, `/api/v1/namespaces/${o.namespace}/configmaps`, listFn);
  const record = (type: string) => (obj: V1ConfigMap) => {
    if (inList) return;
    rec.onEvent(type, objectKey(obj.metadata), Number(obj.metadata?.resourceVersion));
  };
  informer.on('add', record('ADDED'));
  informer.on('update', record('MODIFIED'));
  informer.on('delete', record('DELETED'));
  let stopped = false;
  let paused = false;
  informer.on('error', (err: unknown) => {
    rec.onError(err instanceof Error ? err.message : String(err));
    setTimeout(() => {
      if (!stopped && !paused) void informer.start().catch(() => undefined);
    }, 150);
  });
  informer.on('connect', () => rec.reconnects++);
  void informer.start().catch(() => undefined);
  return {
    rec,
    snapshot: () => new Map(informer.list(o.namespace).map((i) => [objectKey(i.metadata), Number(i.metadata?.resourceVersion)])),
    pause() {
      paused = true;
      void informer.stop();
    },
    resume() {
      paused = false;
      void informer.start().catch(() => undefined);
    },
    async stop() {
      stopped = true;
      await informer.stop();
    },
  };
}
