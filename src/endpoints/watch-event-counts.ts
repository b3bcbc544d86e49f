/**
 * Upstream's per-watcher watch metrics, `apiserver_watch_events_total` and
 * `apiserver_watch_events_sizes{group,version,resource}`: one count and one size per event
 * written to one watcher. A write watched a thousand times is a thousand of them, all on
 * the delivery path, so each costs a few additions on the resource's tally (found by the
 * resource object, once per stream) rather than a label lookup in prom-client; the tallies
 * reach prom-client when /metrics is read.
 */
import { Counter, type Metric, type Registry } from 'prom-client';

/** The resource a watch serves (a served resource's names). */
export interface CountedResource {
  group: string;
  version: string;
  resource: string;
}

/** 1 KiB to 128 KiB, doubling, as upstream's. */
const SIZE_BUCKETS = [1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072] as const;

const SIZES_NAME = 'apiserver_watch_events_sizes';
const SIZES_HELP = 'Watch event size distribution in bytes';

/** One resource's counts since the start (sizes) and since the last read of /metrics (events). */
class Tally {
  unreported = 0;
  count = 0;
  sum = 0;
  /** Events at most each bucket's bound (not cumulative); the last slot is +Inf. */
  readonly buckets = new Float64Array(SIZE_BUCKETS.length + 1);

  constructor(readonly labels: { group: string; version: string; resource: string }) {}

  add(size: number): void {
    this.unreported++;
    this.count++;
    this.sum += size;
    let i = 0;
    while (i < SIZE_BUCKETS.length && size > SIZE_BUCKETS[i]!) i++;
    this.buckets[i]!++;
  }
}

/** The sizes histogram as prom-client reads a metric: cumulative buckets, sum and count per resource. */
function sizesMetric(tallies: () => Iterable<Tally>): Metric {
  const metric = {
    name: SIZES_NAME,
    help: SIZES_HELP,
    type: 'histogram',
    aggregator: 'sum',
    labelNames: ['group', 'version', 'resource'],
    get() {
      const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
      for (const t of tallies()) {
        let cumulative = 0;
        SIZE_BUCKETS.forEach((le, i) => {
          cumulative += t.buckets[i]!;
          values.push({ labels: { le, ...t.labels }, value: cumulative, metricName: `${SIZES_NAME}_bucket` });
        });
        values.push({ labels: { le: '+Inf', ...t.labels }, value: t.count, metricName: `${SIZES_NAME}_bucket` });
        values.push({ labels: t.labels, value: t.sum, metricName: `${SIZES_NAME}_sum` });
        values.push({ labels: t.labels, value: t.count, metricName: `${SIZES_NAME}_count` });
      }
      return Promise.resolve({ name: SIZES_NAME, help: SIZES_HELP, type: 'histogram', values, aggregator: 'sum' });
    },
    reset() {
      for (const t of tallies()) {
        t.count = 0;
        t.sum = 0;
        t.buckets.fill(0);
      }
    },
  };
  // prom-client types registerMetric by its own classes; a registry reads any metric through get().
  return metric as unknown as Metric;
}

/** Per-watcher event counts, registered in `registry` when given. */
export class WatchEventCounts {
  private readonly byName = new Map<string, Tally>();
  private readonly byResource = new WeakMap<object, Tally>();

  constructor(registry?: Registry) {
    const tallies = (): Iterable<Tally> => this.byName.values();
    new Counter({
      name: 'apiserver_watch_events_total',
      help: 'Number of events sent in watch clients',
      labelNames: ['group', 'version', 'resource'] as const,
      registers: registry ? [registry] : [],
      collect() {
        for (const t of tallies()) {
          if (t.unreported === 0) continue;
          this.labels(t.labels).inc(t.unreported);
          t.unreported = 0;
        }
      },
    });
    registry?.registerMetric(sizesMetric(tallies));
  }

  /** Records one event of `size` bytes written to one watcher of `resource`. */
  sent(resource: CountedResource, size: number): void {
    let tally = this.byResource.get(resource);
    if (!tally) {
      tally = this.tallyOf(resource);
      this.byResource.set(resource, tally);
    }
    tally.add(size);
  }

  private tallyOf(resource: CountedResource): Tally {
    const id = `${resource.group}/${resource.version}/${resource.resource}`;
    let tally = this.byName.get(id);
    if (!tally) {
      tally = new Tally({ group: resource.group, version: resource.version, resource: resource.resource });
      this.byName.set(id, tally);
    }
    return tally;
  }
}
