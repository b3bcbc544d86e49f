/** Naming rules of upstream's OpenAPI documents: component names, operation ids, tags. */

/** A JSON Schema / OpenAPI object, kept loose on purpose. */
export type Schema = Record<string, unknown>;

/** The `x-kubernetes-group-version-kind` value for one kind. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Prefix of component references in an OpenAPI v3 document. */
export const COMPONENT_REF_PREFIX = '#/components/schemas/';

/** `k8s.io.api.core.v1.Pod` → `io.k8s.api.core.v1.Pod`; other names are kept. */
export function componentName(messageFullName: string): string {
  return messageFullName.startsWith('k8s.io.') ? `io.k8s.${messageFullName.slice('k8s.io.'.length)}` : messageFullName;
}

/**
 * Component name of a kind without a proto message (a custom resource): the group's
 * domain reversed, then version and kind (`example.com`, v1, Widget → `com.example.v1.Widget`).
 */
export function customComponentName(group: string, version: string, kind: string): string {
  return [...group.split('.').reverse(), version, kind].join('.');
}

/** A reference object to a component. */
export function refTo(name: string): Schema {
  return { $ref: COMPONENT_REF_PREFIX + name };
}

function capitalize(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** The group part of upstream operation ids: core → `Core`, `rbac.authorization.k8s.io` → `RbacAuthorization`. */
export function groupIdentifier(group: string): string {
  if (!group) return 'Core';
  const trimmed = group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group;
  return trimmed
    .split(/[.-]/)
    .filter(Boolean)
    .map(capitalize)
    .join('');
}

/** `CoreV1`, `AppsV1`, `RbacAuthorizationV1beta1`. */
export function groupVersionIdentifier(group: string, version: string): string {
  return groupIdentifier(group) + capitalize(version);
}

/** The tag upstream puts on operations: `core_v1`, `apps_v1`, `rbacAuthorization_v1`. */
export function groupVersionTag(group: string, version: string): string {
  const id = groupIdentifier(group);
  return `${id[0]!.toLowerCase()}${id.slice(1)}_${version}`;
}

/** `api/v1` or `apis/apps/v1`: the key of a group version in the /openapi/v3 index. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}
