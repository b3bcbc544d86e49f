/** Checks the create and update preparation steps share. */
import { badRequest, invalid } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { type FieldError, toCauses } from '../../machinery/validation/field-error.js';
import type { ServedResource } from '../rest/served.js';

/** A body may name its object, but not another one than the URL does (400). */
export function checkNameMatches(bodyName: string | undefined, urlName: string): void {
  if (bodyName !== undefined && bodyName !== urlName) {
    throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${urlName})`);
  }
}

/** A body may name its namespace, but not another one than the request does (400). */
export function checkNamespaceMatches(bodyNamespace: string | undefined, requestNamespace: string | undefined): void {
  if (bodyNamespace && requestNamespace && bodyNamespace !== requestNamespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

/**
 * The last step of preparing a write: any validation error is a 422 Invalid naming them
 * all; a valid object is put in the strategy's canonical form, as it will be stored.
 */
export function acceptValidated(def: ServedResource, obj: KubeObject, errs: FieldError[]): void {
  if (errs.length) throw invalid(def.kind, def.group, obj.metadata?.name ?? '', toCauses(errs));
  def.strategy.canonicalize?.(obj);
}
