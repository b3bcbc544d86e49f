/**
 * A body may name its object and namespace, but not other ones than the request does:
 * upstream's 400s, in one place for every layer that checks them.
 */
import { badRequest } from './api-error.js';

/** The body names another object than the URL (400). */
export function checkNameMatches(bodyName: string | undefined, urlName: string): void {
  if (bodyName !== undefined && bodyName !== urlName) {
    throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${urlName})`);
  }
}

/** The body names another namespace than the request (400). */
export function checkNamespaceMatches(bodyNamespace: string | undefined, requestNamespace: string | undefined): void {
  if (bodyNamespace && requestNamespace && bodyNamespace !== requestNamespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}
