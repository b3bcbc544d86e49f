/**
 * The request's objects in the version a webhook or policy matched (upstream's
 * VersionedAttributes): the request's own version unchanged; an equivalent resource's
 * version through the storage version (request version → storage → matched version), and
 * back again for what a mutating webhook returns.
 */
import type { KubeObject } from '../../../machinery/meta/object.js';
import type { AdmissionAttributes } from '../../../registry/rest/admission.js';
import type { ServedResource } from '../../../registry/rest/served.js';
import type { ApiCatalog } from '../../catalog.js';
import type { GroupVersionResource } from './rules.js';

/** Conversions between the request's version and another served version of the same objects. */
export interface VersionConverter {
  /** True when the target is the request's own resource version (no conversion). */
  readonly same: boolean;
  toTarget(obj: KubeObject): KubeObject;
  fromTarget(obj: KubeObject): KubeObject;
}

const IDENTITY: VersionConverter = { same: true, toTarget: (o) => o, fromTarget: (o) => o };

/**
 * The converter from the request's resource version to `target`. Subresources with kinds
 * of their own (`Scale`, `Binding`, …) are passed unchanged: they are the same in every
 * version served here.
 */
export function versionConverter(catalog: ApiCatalog, a: Pick<AdmissionAttributes, 'group' | 'version' | 'resource' | 'subresource' | 'kind'>, target: GroupVersionResource): VersionConverter {
  if (target.group === a.group && target.version === a.version && target.resource === a.resource) return IDENTITY;
  const from: ServedResource | undefined = catalog.resource(a.group, a.version, a.resource)?.definition;
  const to: ServedResource | undefined = catalog.resource(target.group, target.version, target.resource)?.definition;
  if (!from || !to || (a.subresource && a.kind.kind !== from.kind)) return IDENTITY;
  return {
    same: false,
    toTarget: (obj) => to.fromStorage(from.toStorage(obj)),
    fromTarget: (obj) => from.fromStorage(to.toStorage(obj)),
  };
}
