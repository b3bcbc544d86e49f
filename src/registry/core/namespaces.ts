/**
 * core/v1 Namespace: created Active with the `kubernetes` finalizer; a delete marks it
 * Terminating until the finalizers in `spec.finalizers` are gone.
 */
import type { Namespace } from '../../../gen/kube/core-v1.js';
import { ApiError } from '../../machinery/errors/index.js';
import { nowRfc3339 } from '../../machinery/meta/object.js';
import { type FieldError, invalidValue } from '../../machinery/validation/field-error.js';
import { isDns1123Label, isQualifiedName } from '../../machinery/validation/names.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { child, str } from './fields.js';
import { declared } from '../rest/declared.js';

/** The finalizer every namespace gets on create; the namespace controller removes it. */
export const NAMESPACE_FINALIZER = 'kubernetes';
/** The label upstream defaults on every namespace to its name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

const STANDARD_FINALIZERS = new Set([NAMESPACE_FINALIZER, 'orphan', 'foregroundDeletion']);

function finalizers(obj: Namespace): string[] {
  const list: unknown = obj.spec?.finalizers;
  return Array.isArray(list) ? list.filter((f): f is string => typeof f === 'string') : [];
}

/** Decode-time default: the name label. */
function defaultNamespace(obj: Namespace): void {
  const meta = (obj.metadata ??= {});
  if (meta.name) meta.labels = { ...(meta.labels ?? {}), [NAMESPACE_NAME_LABEL]: meta.name };
}

function validateNamespace(obj: Namespace): FieldError[] {
  const errs: FieldError[] = [];
  finalizers(obj).forEach((f) => {
    for (const msg of isQualifiedName(f)) errs.push(invalidValue('spec.finalizers', f, msg));
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(invalidValue('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

/**
 * Graceful deletion of a namespace: while `spec.finalizers` (or metadata.finalizers) is
 * non-empty the namespace stays (true), marked in place with a deletionTimestamp and
 * phase Terminating; otherwise it goes now (false) and `obj` is left as it was.
 */
export function namespaceGracefulDelete(obj: Namespace): boolean {
  if (finalizers(obj).length === 0 && !obj.metadata?.finalizers?.length) return false;
  const meta = (obj.metadata ??= {});
  meta.deletionTimestamp ??= nowRfc3339();
  meta.deletionGracePeriodSeconds ??= 0;
  child(obj, 'status').phase = 'Terminating';
  return true;
}

/** Namespaces upstream's NamespaceLifecycle admission never lets go. */
export const IMMORTAL_NAMESPACES: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public']);

/** Refuses to delete an immortal namespace (403, upstream's wording). */
function admitNamespaceDelete(name: string): void {
  if (!IMMORTAL_NAMESPACES.has(name)) return;
  throw new ApiError('Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
}

/** The Namespace resource. */
export const namespaces: ResourceDefinition<Namespace> = {
  ...declared('', 'namespaces'),
  disabledVerbs: ['deletecollection'],
  admitDelete: admitNamespaceDelete,
  nameValidator: isDns1123Label,
  strategy: {
    prepareForCreate(obj) {
      defaultNamespace(obj);
      const spec = child(obj, 'spec');
      const list = finalizers(obj);
      if (!list.includes(NAMESPACE_FINALIZER)) list.push(NAMESPACE_FINALIZER);
      spec.finalizers = list;
      obj.status = { phase: 'Active' };
    },
    prepareForUpdate(obj, old) {
      defaultNamespace(obj);
      // Upstream changes spec.finalizers only through /finalize. Without that subresource
      // a terminating namespace may have them cleared by a plain update (by the namespace
      // controller); an active namespace keeps the stored list.
      if (!old.metadata?.deletionTimestamp) {
        const spec = child(obj, 'spec');
        const oldList = old.spec?.finalizers;
        if (oldList === undefined) delete spec.finalizers;
        else spec.finalizers = structuredClone(oldList);
      }
    },
    validate: validateNamespace,
    validateUpdate: (obj) => validateNamespace(obj),
  },
  statusStrategy: {
    prepareForUpdate(obj) {
      const status = child(obj, 'status');
      if (!status.phase) status.phase = 'Active';
    },
    validateUpdate(obj) {
      const phase = obj.status?.phase;
      if (!obj.metadata?.deletionTimestamp) {
        if (phase !== 'Active') return [invalidValue('status.Phase', phase ?? '', "may only be 'Active' if `deletionTimestamp` is empty")];
      } else if (phase !== 'Terminating') {
        return [invalidValue('status.Phase', phase ?? '', "may only be 'Terminating' if `deletionTimestamp` is not empty")];
      }
      return [];
    },
  },
  gracefulDelete: namespaceGracefulDelete,
  printerColumns: [
    {
      name: 'Status',
      type: 'string',
      description: 'The status of the namespace',
      cell: (obj) => str(obj.status?.phase),
    },
  ],
};
