/**
 * An event recorder, as client-go's record package: core/v1 Events about an object, named
 * `<object>.<hex nanoseconds>`, with a repeat of the same event (source, object, type, reason,
 * message) counted on the existing Event instead of creating another.
 */
import type { ObjectReference } from '../../gen/k8s/io/api/core/v1/pod.js';
import type { ObjectMeta } from '../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import type { Clientset } from './clientset.js';
import type { ResourceFacts } from './resource-client.js';
import { apiVersionOf, toTime } from './values.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** The reporting component (`default-scheduler`, `deployment-controller`). */
  component: string;
  /** The host it runs on (source.host; a node's name for a kubelet). */
  host?: string;
  /** The reporting instance (default: component). */
  instance?: string;
  onError?(err: unknown): void;
}

/** An ObjectReference to `obj` of the resource a client serves. */
export function objectReference(client: { facts: Pick<ResourceFacts, 'group' | 'version' | 'kind'> }, obj: { metadata?: ObjectMeta }): ObjectReference {
  const m: Partial<ObjectMeta> = obj.metadata ?? {};
  return { kind: client.facts.kind, apiVersion: apiVersionOf(client.facts), namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion };
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  at: number;
  /** Settles once the Event and every earlier repeat are written (false: it could not be created). */
  written: Promise<boolean>;
}

/** How long a repeated event is counted on the earlier one (client-go: 10 minutes). */
const AGGREGATION_WINDOW_MS = 10 * 60_000;

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  constructor(
    private readonly cs: Clientset,
    private readonly options: EventRecorderOptions,
  ) {}

  /** Records an event; never throws (failures go to onError), resolves when written. */
  async event(ref: ObjectReference, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = ref.namespace || 'default';
    const key = [ref.kind, ref.namespace, ref.name, ref.uid, type, reason, message].join('\u0000');
    const now = new Date();
    const events = this.cs.coreV1.events;
    try {
      const prior = this.seen.get(key);
      if (prior && now.getTime() - prior.at < AGGREGATION_WINDOW_MS) {
        prior.count++;
        prior.at = now.getTime();
        const count = prior.count;
        // Repeats are counted on the first in order, each after the writes before it.
        const lastTimestamp = now.toISOString().replace(/\.\d+Z$/, 'Z');
        prior.written = prior.written.then(async (exists) => {
          if (!exists) return false;
          await events.patch(prior.name, 'merge', { count, lastTimestamp }, { namespace });
          return true;
        });
        if (await prior.written.catch(() => true)) return;
      }
      const name = `${ref.name}.${(BigInt(now.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16)}`;
      const created = events.create(
        {
          metadata: { name, namespace },
          involvedObject: ref,
          reason,
          message,
          type,
          source: { component: this.options.component, host: this.options.host },
          firstTimestamp: toTime(now),
          lastTimestamp: toTime(now),
          count: 1,
          reportingComponent: this.options.component,
          reportingInstance: this.options.instance ?? this.options.host ?? this.options.component,
        },
        { namespace },
      );
      this.seen.set(key, { name, namespace, count: 1, at: now.getTime(), written: created.then(() => true, () => false) });
      if (this.seen.size > 4096) this.seen.delete(this.seen.keys().next().value as string);
      await created;
    } catch (err) {
      this.options.onError?.(err);
    }
  }
}

