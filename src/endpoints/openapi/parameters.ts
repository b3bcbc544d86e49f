/**
 * Operation parameters, written inline (kubectl looks for `fieldValidation` by name on
 * the operation itself, so `$ref` parameters would hide it).
 */
import type { Schema } from './names.js';

function query(name: string, type: string, description: string): Schema {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

/** `{name}` path parameter. */
export function nameParam(kind: string): Schema {
  return { name: 'name', in: 'path', description: `name of the ${kind}`, required: true, schema: { type: 'string', uniqueItems: true } };
}

/** `{namespace}` path parameter. */
export function namespaceParam(): Schema {
  return {
    name: 'namespace',
    in: 'path',
    description: 'object name and auth scope, such as for teams and projects',
    required: true,
    schema: { type: 'string', uniqueItems: true },
  };
}

/** `pretty`, accepted on every path. */
export function prettyParam(): Schema {
  return query('pretty', 'string', "If 'true', then the output is pretty printed.");
}

function dryRun(): Schema {
  return query('dryRun', 'string', 'When present (value "All"), the request is processed fully but nothing is persisted.');
}

function fieldManager(): Schema {
  return query('fieldManager', 'string', 'Name of the actor making the change, recorded in managedFields.');
}

function fieldValidation(): Schema {
  return query(
    'fieldValidation',
    'string',
    'How to treat unknown or duplicate fields in the body: Ignore, Warn or Strict (reject the request).',
  );
}

/** Parameters of create and replace. */
export function writeParams(): Schema[] {
  return [dryRun(), fieldManager(), fieldValidation()];
}

/** Parameters of patch: the write parameters plus `force` (apply patches only). */
export function patchParams(): Schema[] {
  return [
    dryRun(),
    fieldManager(),
    fieldValidation(),
    query('force', 'boolean', 'Take over fields owned by other managers (apply patches only; must be unset otherwise).'),
  ];
}

/** Parameters of list and watch. */
export function listParams(): Schema[] {
  return [
    query('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK events on a watch.'),
    query('continue', 'string', 'Continue token from a previous paginated list.'),
    query('fieldSelector', 'string', 'Restrict the returned objects by their fields.'),
    query('labelSelector', 'string', 'Restrict the returned objects by their labels.'),
    query('limit', 'integer', 'Maximum number of items to return in one list response.'),
    query('resourceVersion', 'string', 'Which resource version the list or watch starts from.'),
    query('resourceVersionMatch', 'string', 'How resourceVersion applies to a list (Exact or NotOlderThan).'),
    query('sendInitialEvents', 'boolean', 'Start a watch with synthetic ADDED events for the current state.'),
    query('timeoutSeconds', 'integer', 'Time limit of a list or watch call.'),
    query('watch', 'boolean', 'Watch for changes instead of listing.'),
  ];
}

/** Parameters of delete and deletecollection. */
export function deleteParams(): Schema[] {
  return [
    dryRun(),
    query('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; zero deletes at once.'),
    query('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
    query('propagationPolicy', 'string', 'Garbage collection of dependents: Orphan, Background or Foreground.'),
  ];
}
