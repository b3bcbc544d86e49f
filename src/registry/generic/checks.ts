/** Checks the create and update preparation steps share. */
import { invalid } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { type FieldError, toCauses } from '../../machinery/validation/field-error.js';
import type { ServedResource } from '../rest/served.js';

export { checkNameMatches, checkNamespaceMatches } from '../../machinery/errors/index.js';

/**
 * The last step of preparing a write: any validation error is a 422 Invalid naming them
 * all; a valid object is put in the strategy's canonical form, as it will be stored.
 */
export function acceptValidated(def: ServedResource, obj: KubeObject, errs: FieldError[]): void {
  if (errs.length) throw invalid(def.kind, def.group, obj.metadata?.name ?? '', toCauses(errs));
  def.strategy.canonicalize?.(obj);
}
