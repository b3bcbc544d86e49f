/** The 403 upstream writes when authorization refuses, worded as its responsewriters.Forbidden. */
import { forbidden, type ApiError } from '../../machinery/errors/index.js';
import type { AuthorizationAttributes } from './attributes.js';

/** `User "u" cannot VERB resource "R[/S]" in API group "G" in the namespace "N"` (or at the cluster scope, or a path). */
export function forbiddenMessage(a: AuthorizationAttributes): string {
  const user = JSON.stringify(a.user.name);
  if (!a.resourceRequest) return `User ${user} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  return `User ${user} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${where}`;
}

/** The Forbidden Status for refused attributes, with the authorizer's reason appended when it gave one. */
export function forbiddenError(a: AuthorizationAttributes, reason: string): ApiError {
  const text = forbiddenMessage(a).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const why = reason ? `${text}: ${reason}` : text;
  return a.resourceRequest ? forbidden({ resource: a.resource, group: a.apiGroup }, a.name || undefined, why) : forbidden({ resource: '', group: '' }, undefined, why);
}
