/**
 * NamespaceLifecycle (upstream's plugin of that name): creating in (or connecting to) a
 * missing namespace is NotFound, creating in a terminating one Forbidden. Namespaces themselves, cluster-scoped objects and
 * every other operation pass (deleting `default`, `kube-system`, `kube-public` is refused by
 * the namespaces definition's `admitDelete`).
 */
import { ApiError, notFound, qualifiedResource } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/rest/admission.js';
import type { ResourceStore } from '../../registry/rest/resource-store.js';

/**
 * Namespaces as last seen by the namespace watch, so that creates need no extra storage
 * read; a miss falls back to a live read (the namespace may be newer than the cache).
 */
export class NamespaceCache {
  private readonly known = new Map<string, KubeObject>();

  /** Applies a watch event. */
  observe(type: string, ns: KubeObject): void {
    const name = ns.metadata?.name;
    if (!name) return;
    if (type === 'DELETED') this.known.delete(name);
    else this.known.set(name, ns);
  }

  get(name: string): KubeObject | undefined {
    return this.known.get(name);
  }

  clear(): void {
    this.known.clear();
  }
}

/** The NamespaceLifecycle plugin over the namespaces' storage store and the cache the namespace controller keeps. */
export function namespaceLifecycle(namespaces: () => ResourceStore, cache: NamespaceCache): AdmissionPlugin {
  const lookup = async (namespace: string): Promise<KubeObject> => {
    const known = cache.get(namespace);
    if (known) return known;
    try {
      return await namespaces().get(undefined, namespace);
    } catch (err) {
      if (err instanceof ApiError && err.reason === 'NotFound') throw notFound({ resource: 'namespaces', group: '' }, namespace);
      throw err;
    }
  };
  return {
    name: 'NamespaceLifecycle',
    async validate(a: AdmissionAttributes) {
      // Updates and deletes pass, and so does anything about namespaces themselves.
      if ((a.operation !== 'CREATE' && a.operation !== 'CONNECT') || !a.namespace) return;
      if (a.kind.group === '' && a.kind.kind === 'Namespace') return;
      const ns = await lookup(a.namespace);
      if (a.operation !== 'CREATE') return;
      if (ns.metadata?.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') throw terminating(a);
    },
  };
}

/** Upstream's Forbidden for content created in a terminating namespace, with its NamespaceTerminating cause. */
function terminating(a: AdmissionAttributes): ApiError {
  const q = { group: a.group, resource: a.subresource ? `${a.resource}/${a.subresource}` : a.resource };
  return new ApiError(
    'Forbidden',
    `${qualifiedResource(q)} "${a.name}" is forbidden: unable to create new content in namespace ${a.namespace} because it is being terminated`,
    {
      name: a.name,
      ...(a.group ? { group: a.group } : {}),
      kind: q.resource,
      causes: [{ reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace' }],
    },
  );
}
