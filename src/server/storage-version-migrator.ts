/**
 * The storage version migrator (upstream runs it in kube-controller-manager as the
 * storage-version-migrator controller): for each storagemigration.k8s.io/v1alpha1
 * StorageVersionMigration without a true Succeeded or Failed condition, it marks the
 * migration Running with the resource's current resourceVersion as the checkpoint, rewrites
 * every stored object of the named resource that is not newer than the checkpoint, and marks
 * the migration Succeeded.
 *
 * A rewrite is a no-op update through the resource's own store, conditional on the
 * resourceVersion the object was listed at: an object written since (so already in the
 * current storage version) or deleted is a conflict and is left alone, as upstream's
 * migrator skips it. The store writes only when the object encodes differently from the
 * stored bytes, so what kube-apiserver or an older release stored in another encoding (JSON
 * where the server now writes protobuf, a value without apiVersion and kind) is rewritten in
 * the current one, and so is a value encrypted with a provider or key that is no longer the
 * first of `--encryption-provider-config` (the store counts it stale); everything else is
 * untouched. Nothing here is per resource: any
 * stored resource the server serves at the named version can be migrated; one it does not
 * serve fails the migration at once (upstream waits a minute for discovery to catch up
 * first). Status is written through the server's own pipeline, as a server-side apply to
 * `/status` by the controller's field manager.
 */
import type { StorageVersionMigration } from '../../gen/kube/storagemigration-v1alpha1.js';
import type { ApiHandler } from '../endpoints/api-call.js';
import type { ApiCatalog } from '../endpoints/catalog.js';
import { ApiError } from '../machinery/errors/index.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';
import { followLoopback, loopbackResource, type LoopbackResource } from './loopback-client.js';

const GROUP = 'storagemigration.k8s.io';
const VERSION = 'v1alpha1';
const RESOURCE = 'storageversionmigrations';
/** Upstream's controller name, also its field manager. */
export const MIGRATOR_FIELD_MANAGER = 'storage-version-migrator-controller';
const REASONS = { Running: 'StorageVersionMigrationInProgress', Succeeded: 'StorageVersionMigrationSucceeded', Failed: 'StorageVersionMigrationFailed' };
const PAGE = 500;
const RETRY_MS = 1000;

type ConditionType = keyof typeof REASONS;
type Condition = NonNullable<NonNullable<StorageVersionMigration['status']>['conditions']>[number];

/** What the migrator works with. */
export interface StorageVersionMigratorOptions {
  catalog: ApiCatalog;
  handler: ApiHandler;
  /** The storage-version store of an installed resource. */
  storage(group: string, resource: string): ResourceStore | undefined;
  signal: AbortSignal;
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const isTrue = (svm: StorageVersionMigration, type: ConditionType): boolean => (svm.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
const isReason = (err: unknown, ...reasons: string[]): boolean => err instanceof ApiError && reasons.includes(err.reason);

/**
 * The conditions with `type` set True (as upstream's setStatusConditions: a final condition
 * turns Running False; a condition already True stays as it is).
 */
function withCondition(conditions: readonly Condition[], type: ConditionType, message = ''): Condition[] {
  if (conditions.some((c) => c.type === type && c.status === 'True')) return [...conditions];
  const out = conditions.filter((c) => c.type !== type).map((c) => (type !== 'Running' && c.type === 'Running' ? { ...c, status: 'False' } : { ...c }));
  out.push({ type, status: 'True', lastUpdateTime: now(), reason: REASONS[type], ...(message ? { message } : {}) });
  return out;
}

/** Rewrites every object of `store` not newer than `checkpoint`, page by page. */
async function rewriteAll(store: ResourceStore, checkpoint: number, signal: AbortSignal): Promise<void> {
  let cont: string | undefined;
  do {
    const page = await store.list(undefined, { limit: PAGE, ...(cont ? { continue: cont } : {}) });
    for (const item of page.items) {
      if (signal.aborted) return;
      const meta = item.metadata ?? {};
      const listed = meta.resourceVersion ?? '';
      if (Number(listed) > checkpoint) continue;
      try {
        await store.update(
          meta.namespace || undefined,
          meta.name ?? '',
          (current) => ({ ...current, metadata: { ...current.metadata, resourceVersion: listed } }),
          { target: 'system' },
        );
      } catch (err) {
        // Written since (already migrated) or gone (nothing to migrate).
        if (!isReason(err, 'Conflict', 'NotFound')) throw err;
      }
    }
    cont = page.metadata.continue || undefined;
  } while (cont);
}

class Migrator {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly opts: StorageVersionMigratorOptions,
    private readonly migrations: LoopbackResource,
  ) {}

  private async writeStatus(name: string, status: NonNullable<StorageVersionMigration['status']>): Promise<StorageVersionMigration> {
    const patch = { apiVersion: `${GROUP}/${VERSION}`, kind: 'StorageVersionMigration', metadata: { name }, status };
    return (await this.migrations.apply(name, patch, MIGRATOR_FIELD_MANAGER, 'status')) as StorageVersionMigration;
  }

  private async migrate(svm: StorageVersionMigration): Promise<void> {
    const name = svm.metadata?.name ?? '';
    const { group = '', version = '', resource = '' } = svm.spec?.resource ?? {};
    const conditions = svm.status?.conditions ?? [];
    const store = this.opts.catalog.resource(group, version, resource) ? this.opts.storage(group, resource) : undefined;
    if (!store || store.definition.computed) {
      const gvr = `${resource}.${version}.${group}`;
      const message = `migration encountered unhandled error: resource ${gvr} is not served`;
      await this.writeStatus(name, { conditions: withCondition(conditions, 'Failed', message) });
      return;
    }
    let checkpoint = svm.status?.resourceVersion ?? '';
    if (!checkpoint) checkpoint = (await store.list(undefined, { limit: 1 })).metadata.resourceVersion ?? '';
    const running = await this.writeStatus(name, { resourceVersion: checkpoint, conditions: withCondition(conditions, 'Running') });
    try {
      await rewriteAll(store, Number(checkpoint), this.opts.signal);
    } catch (err) {
      const message = `migration encountered unhandled error: ${err instanceof Error ? err.message : String(err)}`;
      await this.writeStatus(name, { resourceVersion: checkpoint, conditions: withCondition(running.status?.conditions ?? [], 'Failed', message) });
      return;
    }
    if (this.opts.signal.aborted) return;
    await this.writeStatus(name, { resourceVersion: checkpoint, conditions: withCondition(running.status?.conditions ?? [], 'Succeeded') });
  }

  /** Starts a migration of `svm` unless it is final, being deleted or already under way. */
  consider(svm: StorageVersionMigration): void {
    const name = svm.metadata?.name ?? '';
    if (!name || svm.metadata?.deletionTimestamp || isTrue(svm, 'Succeeded') || isTrue(svm, 'Failed') || this.inFlight.has(name)) return;
    this.inFlight.add(name);
    this.migrate(svm).then(
      () => this.inFlight.delete(name),
      // A failed status write or a storage outage: try again shortly with a fresh copy.
      () => setTimeout(() => void this.retry(name), RETRY_MS).unref(),
    );
  }

  private async retry(name: string): Promise<void> {
    this.inFlight.delete(name);
    if (this.opts.signal.aborted) return;
    const fresh = await this.migrations.get(name).catch(() => undefined);
    if (fresh) this.consider(fresh as StorageVersionMigration);
  }
}

/**
 * Runs the migrator until `signal` aborts, when the server serves
 * storagemigration.k8s.io/v1alpha1 (an alpha: only behind --runtime-config); otherwise resolves at once.
 */
export async function startStorageVersionMigrator(opts: StorageVersionMigratorOptions): Promise<void> {
  if (!opts.catalog.resource(GROUP, VERSION, RESOURCE)) return;
  const migrations = loopbackResource(opts.handler, GROUP, VERSION, RESOURCE, opts.signal);
  const migrator = new Migrator(opts, migrations);
  await followLoopback(migrations, opts.signal, (type, object) => {
    if (type === 'ADDED' || type === 'MODIFIED') migrator.consider(object as StorageVersionMigration);
  });
}
