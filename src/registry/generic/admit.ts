/**
 * Validating admission as the generic store runs it: the attributes of a create, update or
 * delete from the store's definition and the request the handlers described (or, for the
 * server's own writes, the storage version and the server's user).
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import { SERVER_USER, typedAs, type AdmissionAttributes, type AdmissionChain, type AdmissionOperation } from '../rest/admission.js';
import type { WriteOptions, WriteTarget } from '../rest/resource-store.js';
import type { ServedResource } from '../rest/served.js';

/** What one validating admission call is about. */
export interface AdmitWrite {
  operation: AdmissionOperation;
  namespace: string | undefined;
  name: string;
  /** Storage-version objects (converted to the request's version before the plugins see them). */
  object?: KubeObject;
  oldObject?: KubeObject;
  target?: WriteTarget;
}

/** The attributes validating admission sees for `w`. */
export function admissionAttributes(def: ServedResource, w: AdmitWrite, wopts: WriteOptions): AdmissionAttributes {
  const req = wopts.admission;
  const view = (o: KubeObject): KubeObject => {
    const shown = req?.fromStorage ? req.fromStorage(o) : o;
    return req?.view ? req.view(shown) : shown;
  };
  const subresource = req ? req.subresource : w.target && w.target !== 'main' ? w.target : undefined;
  const a: AdmissionAttributes = {
    operation: w.operation,
    group: req?.group ?? def.group,
    version: req?.version ?? def.version,
    resource: req?.resource ?? def.resource,
    kind: req?.kind ?? { group: def.group, version: def.version, kind: def.kind },
    name: w.name,
    user: req?.user ?? wopts.user ?? SERVER_USER,
    dryRun: wopts.dryRun === true,
  };
  if (subresource !== undefined) a.subresource = subresource;
  if (w.namespace) a.namespace = w.namespace;
  if (w.object) a.object = typedAs(view(w.object), a.kind);
  if (w.oldObject) a.oldObject = typedAs(view(w.oldObject), a.kind);
  if (req?.options !== undefined) a.options = req.options;
  if (req?.warnings) a.warnings = req.warnings;
  return a;
}

/**
 * Runs the chain's validating plugins on a write. Writes the server makes to a subresource of
 * its own (`system`: a pod's binding) are not admitted again: the request was, as a CREATE
 * of its subresource, as upstream's subresource handlers write to storage directly.
 */
export async function validateAdmission(chain: AdmissionChain | undefined, def: ServedResource, w: AdmitWrite, wopts: WriteOptions): Promise<void> {
  if (!chain || w.target === 'system') return;
  await chain.validate(admissionAttributes(def, w, wopts));
}
