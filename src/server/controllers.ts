/**
 * The in-process control loops: what upstream runs as kube-apiserver post-start hooks and the
 * kube-controller-manager controllers a lone API server needs (namespace lifecycle, default
 * ServiceAccounts, resource quota usage, Service IP repair, ServiceCIDR protection, API Priority and Fairness
 * configuration, storage version migration, garbage collection). Each entry starts only when
 * the resources it works on are served; all of them stop together.
 */
import { setMaxListeners } from 'node:events';
import type { ApiCatalog } from '../endpoints/catalog.js';
import type { ApiHandler } from '../endpoints/api-call.js';
import { startGarbageCollector } from '../registry/gc/garbage-collector.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';
import { startClusterRoleAggregationController } from './clusterrole-aggregation-controller.js';
import { bootstrapNamespaces, bootstrapPriorityClasses, bootstrapRbac, bootstrapServiceCidr } from './bootstrap.js';
import { ensureFlowControlConfiguration, flowControlResources, startFlowControlConfigController } from './flowcontrol-config.js';
import { loopbackResource } from './loopback-client.js';
import type { NamespaceCache } from '../endpoints/admission/namespace-lifecycle.js';
import { startNamespaceController } from './namespace-lifecycle.js';
import { startResourceQuotaController } from './resourcequota-controller.js';
import { startServiceAccountController } from './serviceaccount-controller.js';
import { startServiceCidrController } from './servicecidr-controller.js';
import { startServiceIpController } from './service-ip-controller.js';
import { startStorageVersionMigrator } from './storage-version-migrator.js';

/** What the controllers work with. */
export interface ControllerContext {
  catalog: ApiCatalog;
  /** The server's own pipeline, for controllers that write as a client would (the loopback client). */
  handler: ApiHandler;
  /** The storage store of a built-in resource, when it is installed. */
  storage(group: string, resource: string): ResourceStore | undefined;
  /** Every storage store, custom resources included, as they are now. */
  storageStores(): ResourceStore[];
  /** Follows the catalog as resources come and go; returns the function that stops following. */
  onCatalogChange(listener: () => void): () => void;
  namespaces: ResourceStore;
  namespaceCache: NamespaceCache;
  /** `--service-cluster-ip-range`. */
  serviceCidr: string;
  signal: AbortSignal;
}

/** Runs until the context's signal aborts. */
type Controller = (ctx: ControllerContext) => Promise<void>;

const served = (ctx: ControllerContext, group: string, version: string, ...resources: string[]): boolean =>
  resources.every((r) => ctx.catalog.resource(group, version, r) !== undefined);

/** The start-up passes, in order, before anything serves (upstream's post-start hooks). */
async function bootstrap(ctx: ControllerContext): Promise<void> {
  await bootstrapNamespaces(ctx.namespaces);
  const priorityClasses = ctx.storage('scheduling.k8s.io', 'priorityclasses');
  if (priorityClasses) await bootstrapPriorityClasses(priorityClasses);
  const serviceCidrs = ctx.storage('networking.k8s.io', 'servicecidrs');
  if (serviceCidrs) await bootstrapServiceCidr(serviceCidrs, ctx.serviceCidr);
  const flowControl = flowControlResources(ctx.catalog, ctx.handler, ctx.signal);
  if (flowControl) await ensureFlowControlConfiguration(flowControl);
  const clusterRoles = ctx.storage('rbac.authorization.k8s.io', 'clusterroles');
  const clusterRoleBindings = ctx.storage('rbac.authorization.k8s.io', 'clusterrolebindings');
  if (clusterRoles && clusterRoleBindings) await bootstrapRbac(clusterRoles, clusterRoleBindings);
}

const CONTROLLERS: Record<string, Controller> = {
  namespace: (ctx) => startNamespaceController(ctx.namespaces, () => ctx.storageStores(), ctx.namespaceCache, ctx.signal),
  serviceaccount: async (ctx) => {
    const serviceAccounts = ctx.storage('', 'serviceaccounts');
    if (serviceAccounts) await startServiceAccountController(ctx.namespaces, serviceAccounts, ctx.signal);
  },
  resourcequota: async (ctx) => {
    const quotas = ctx.storage('', 'resourcequotas');
    if (quotas) await startResourceQuotaController({ quotas, storage: (g, r) => ctx.storage(g, r), signal: ctx.signal });
  },
  'priority-and-fairness-config': async (ctx) => {
    const flowControl = flowControlResources(ctx.catalog, ctx.handler, ctx.signal);
    if (flowControl) await startFlowControlConfigController(flowControl, ctx.signal);
  },
  'service-ip-repair': async (ctx) => {
    const services = ctx.storage('', 'services');
    const ipAddresses = ctx.storage('networking.k8s.io', 'ipaddresses');
    const serviceCidrs = ctx.storage('networking.k8s.io', 'servicecidrs');
    if (!services || !ipAddresses) return;
    await startServiceIpController({ services, ipAddresses, ...(serviceCidrs ? { serviceCidrs } : {}), cidr: ctx.serviceCidr, signal: ctx.signal });
  },
  'service-cidr': async (ctx) => {
    if (!served(ctx, 'networking.k8s.io', 'v1', 'servicecidrs', 'ipaddresses')) return;
    await startServiceCidrController({
      serviceCidrs: loopbackResource(ctx.handler, 'networking.k8s.io', 'v1', 'servicecidrs', ctx.signal),
      ipAddresses: loopbackResource(ctx.handler, 'networking.k8s.io', 'v1', 'ipaddresses', ctx.signal),
      signal: ctx.signal,
    });
  },
  // Only while storagemigration.k8s.io/v1alpha1 is served (an alpha: behind --runtime-config).
  'storage-version-migrator': (ctx) => startStorageVersionMigrator(ctx),
  'clusterrole-aggregation': async (ctx) => {
    if (!served(ctx, 'rbac.authorization.k8s.io', 'v1', 'clusterroles')) return;
    await startClusterRoleAggregationController(loopbackResource(ctx.handler, 'rbac.authorization.k8s.io', 'v1', 'clusterroles', ctx.signal), ctx.signal);
  },
  'garbage-collector': async (ctx) => {
    const collector = startGarbageCollector({ stores: () => ctx.storageStores(), signal: ctx.signal });
    const stop = ctx.onCatalogChange(() => collector.refresh());
    ctx.signal.addEventListener('abort', stop, { once: true });
    await collector.done;
  },
};

/** Runs the start-up passes, then starts every controller; `stop` ends them all and waits. */
export async function startControllers(ctx: Omit<ControllerContext, 'signal'>): Promise<{ stop(): Promise<void> }> {
  const lifecycle = new AbortController();
  // Every controller and each of their watches listens on this one signal: many listeners is the design, not a leak.
  setMaxListeners(0, lifecycle.signal);
  const full: ControllerContext = { ...ctx, signal: lifecycle.signal };
  await bootstrap(full);
  const running = Object.values(CONTROLLERS).map((start) => start(full).catch(() => undefined));
  return {
    async stop() {
      lifecycle.abort();
      await Promise.all(running);
    },
  };
}
