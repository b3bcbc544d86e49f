/**
 * One informer per resource, namespace and selector, shared by every controller that asks for
 * it (client-go's SharedInformerFactory): one list and one watch however many read the cache.
 */
import { setMaxListeners } from 'node:events';
import type { Clientset } from './clientset.js';
import type { Meta } from './indexer.js';
import { Informer, type InformerOptions } from './informer.js';
import type { ResourceClient } from './resource-client.js';

export interface SharedInformerFactoryOptions {
  /** Every informer's namespace, unless it names one. */
  namespace?: string;
  resyncPeriodMs?: number;
  onError?(err: unknown): void;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer<Meta>>();
  private signal: AbortSignal | undefined;

  constructor(
    readonly clientset: Clientset,
    readonly options: SharedInformerFactoryOptions = {},
  ) {}

  /** The shared informer for `client` (with `opts`' namespace and selectors). */
  informerFor<T extends Meta>(client: ResourceClient<T & { metadata?: object }, { items: Array<T & { metadata?: object }>; metadata?: { resourceVersion?: string } }>, opts: Omit<InformerOptions, 'resyncPeriodMs'> = {}): Informer<T> {
    const f = client.facts;
    const namespace = opts.namespace ?? client.namespace ?? this.options.namespace;
    const key = [f.group, f.version, f.resource, namespace ?? '', opts.labelSelector ?? '', opts.fieldSelector ?? ''].join('|');
    let informer = this.informers.get(key) as Informer<T> | undefined;
    if (!informer) {
      informer = new Informer<T>(client, { onError: this.options.onError, resyncPeriodMs: this.options.resyncPeriodMs, ...opts, namespace });
      this.informers.set(key, informer as unknown as Informer<Meta>);
      if (this.signal) informer.start(this.signal);
    }
    return informer;
  }

  /** Starts every informer asked for so far, and any asked for later. */
  start(signal: AbortSignal): void {
    // Every informer and worker of a component listens on the one stop signal.
    setMaxListeners(0, signal);
    this.signal = signal;
    for (const i of this.informers.values()) i.start(signal);
  }

  /** Resolves once every started informer has synced. */
  async waitForCacheSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
  }
}
