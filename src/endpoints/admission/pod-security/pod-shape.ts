/**
 * The parts of a pod (or pod template) the PodSecurity checks read, and the helpers that word
 * their findings as upstream does (pluralize, joinQuote, the container visitor).
 */

export interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  procMount?: string;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
  appArmorProfile?: { type?: string };
  seLinuxOptions?: { type?: string; user?: string; role?: string; level?: string };
  windowsOptions?: { hostProcess?: boolean };
  sysctls?: { name?: string; value?: string }[];
}

export interface Container {
  name?: string;
  image?: string;
  ports?: { hostPort?: number }[];
  securityContext?: SecurityContext;
}

export interface Volume {
  name?: string;
  [source: string]: unknown;
}

export interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  os?: { name?: string };
  securityContext?: SecurityContext;
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: Volume[];
}

export interface PodMetadata {
  annotations?: Record<string, string>;
}

/** One check's finding: absent when the pod passes. */
export interface CheckFailure {
  reason: string;
  detail: string;
}

export type CheckPod = (meta: PodMetadata, spec: PodSpec) => CheckFailure | undefined;

/** A check as upstream registers it: its id, its level, and whether it replaces baseline checks under restricted. */
export interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  overrides?: string[];
  check: CheckPod;
}

/** Init containers, then containers, then ephemeral containers (upstream's visitContainers). */
export function containersOf(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** `"a", "b"` */
export function joinQuote(items: readonly string[]): string {
  return items.length ? `"${items.join('", "')}"` : '';
}

/** `container "c"` / `containers "a", "b"` */
export function containerList(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

/** Sorted distinct values (Go's sets.String List()): byte order, as Go compares strings. */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Pods declaring `os.name: windows` skip the Linux-only restricted checks. */
export function isWindows(spec: PodSpec): boolean {
  return spec.os?.name === 'windows';
}
