/** Server-side apply and managedFields: structured-merge-diff's model, in TypeScript. */
export { FieldManager, ApplyRequestError, LAST_APPLIED_ANNOTATION, type FieldManagerOptions } from './field-manager.js';
export { ApplyConflicts, Updater, type Conflict, type ManagedFields, type VersionConverter, type VersionedSet } from './updater.js';
export { FieldSet } from './set.js';
export { MergeError } from './typed.js';
export { typeNodeForMessage } from './schema-from-plan.js';
export { typeNodeForOpenApi } from './schema-from-openapi.js';
export { isResetManagedFields, managerIdentifier, parseManagerIdentifier, type ManagedFieldsEntry } from './managed-fields.js';
export { pathToString, type Path, type PathElement } from './path.js';
export type { TypeNode } from './type-node.js';
