/**
 * PodSecurity levels, versions and the namespace labels that choose them (upstream's
 * k8s.io/pod-security-admission/api): `pod-security.kubernetes.io/{enforce,audit,warn}` and
 * their `-version` labels. Unlabelled modes are `privileged:latest`. A bad enforce level
 * falls back to `restricted` (fail closed), a bad audit or warn level to `privileged` (fail
 * open), a bad version to `latest`; each bad label is also reported as a field error.
 * Every version is evaluated with the newest checks (see the README); the label's version
 * is still what messages name (`restricted:v1.25`).
 */
import type { FieldError } from '../../../machinery/validation/field-error.js';

export type Level = 'privileged' | 'baseline' | 'restricted';

const LEVELS: readonly Level[] = ['privileged', 'baseline', 'restricted'];

/** A level and the version label it was given with (`latest` or `v1.N`). */
export interface LevelVersion {
  level: Level;
  version: string;
}

/** What a namespace asks for in each mode. */
export interface Policy {
  enforce: LevelVersion;
  audit: LevelVersion;
  warn: LevelVersion;
}

export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
const MODES = ['enforce', 'audit', 'warn'] as const;

/** `restricted:latest`, as upstream prints a LevelVersion. */
export function levelVersionString(lv: LevelVersion): string {
  return `${lv.level}:${lv.version}`;
}

/** -1, 0 or 1 as `a` is less strict than, as strict as, or stricter than `b`. */
export function compareLevels(a: Level, b: Level): number {
  return Math.sign(LEVELS.indexOf(a) - LEVELS.indexOf(b));
}

function labelError(label: string, value: string, detail: string): FieldError {
  return { type: 'Invalid', field: `metadata.labels[${label}]`, value, detail };
}

/** Upstream's PolicyToEvaluate: the namespace's policy (always usable) and the label errors. */
export function policyToEvaluate(labels: Record<string, string> | undefined): { policy: Policy; errors: FieldError[] } {
  const policy: Policy = {
    enforce: { level: 'privileged', version: 'latest' },
    audit: { level: 'privileged', version: 'latest' },
    warn: { level: 'privileged', version: 'latest' },
  };
  const errors: FieldError[] = [];
  if (!labels) return { policy, errors };
  let enforceLevelSet = false;
  for (const mode of MODES) {
    const levelLabel = LABEL_PREFIX + mode;
    const level = labels[levelLabel];
    if (level !== undefined) {
      if ((LEVELS as readonly string[]).includes(level)) {
        policy[mode].level = level as Level;
        if (mode === 'enforce') enforceLevelSet = true;
      } else {
        policy[mode].level = mode === 'enforce' ? 'restricted' : 'privileged';
        errors.push(labelError(levelLabel, level, `must be one of ${LEVELS.join(', ')}`));
      }
    }
    const versionLabel = `${levelLabel}-version`;
    const version = labels[versionLabel];
    if (version !== undefined) {
      if (version === 'latest' || /^v1\.(0|[1-9][0-9]*)$/.test(version)) policy[mode].version = version;
      else errors.push(labelError(versionLabel, version, 'must be "latest" or "v1.x"'));
    }
  }
  // An explicit enforce level stricter than warn's default raises warn to it.
  if (labels[LABEL_PREFIX + 'warn'] === undefined && enforceLevelSet && compareLevels(policy.enforce.level, policy.warn.level) > 0) {
    policy.warn.level = policy.enforce.level;
    if (labels[LABEL_PREFIX + 'warn-version'] === undefined) policy.warn.version = policy.enforce.version;
  }
  return { policy, errors };
}
