/**
 * coordination.k8s.io LeaseCandidate (v1beta1, stored, off unless --runtime-config turns it
 * on; v1alpha2, alpha, the same objects): a component's bid for a Lease under coordinated
 * leader election. Validated as upstream's ValidateLeaseCandidate: a config-key-shaped name,
 * the Lease named (fixed once set), semantic versions with the binary version no older than
 * the emulated one, and a strategy upstream knows or a domain-qualified one.
 */
import type { LeaseCandidate, LeaseCandidateSpec } from '../../../gen/kube/coordination-v1beta1.js';
import { type FieldError, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isConfigMapKey, isQualifiedName } from '../../machinery/validation/names.js';
import { compareSemver, parseSemver, type SemVer, ZERO_SEMVER } from '../../util/semver.js';
import { str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';

const OLDEST_EMULATION_VERSION = 'OldestEmulationVersion';
const STRATEGIES = [OLDEST_EMULATION_VERSION];

/**
 * Upstream's ValidateCoordinatedLeaseStrategy, given the strategy field's path. Upstream
 * appends `strategy` to the path it is handed, so its errors name `spec.strategy.strategy`.
 */
function validateStrategy(strategy: string, path: string): FieldError[] {
  const at = `${path}.strategy`;
  if (!strategy.includes('/')) return STRATEGIES.includes(strategy) ? [] : [notSupported(at, strategy, STRATEGIES)];
  return isQualifiedName(strategy).map((msg) => invalidValue(at, strategy, msg));
}

/** A version field: its parse, or the zero version (as Go's failed Parse leaves it) with the error. */
function version(errs: FieldError[], path: string, value: string): SemVer {
  const parsed = parseSemver(value);
  if (!parsed) errs.push(invalidValue(path, value, 'must be a valid semantic version'));
  return parsed ?? ZERO_SEMVER;
}

function validateSpec(spec: LeaseCandidateSpec | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const leaseName = str(spec?.leaseName);
  const emulationVersion = str(spec?.emulationVersion);
  const binaryVersion = str(spec?.binaryVersion);
  const strategy = str(spec?.strategy);
  if (!leaseName) errs.push(required('spec.leaseName'));
  const ev = emulationVersion ? version(errs, 'spec.emulationVersion', emulationVersion) : ZERO_SEMVER;
  let bv = ZERO_SEMVER;
  if (!binaryVersion) errs.push(required('spec.binaryVersion'));
  else bv = version(errs, 'spec.binaryVersion', binaryVersion);
  if (binaryVersion && emulationVersion && compareSemver(bv, ev) < 0) {
    errs.push(invalidValue('spec.binaryVersion', binaryVersion, 'must be greater than or equal to `emulationVersion`'));
  }
  if (!strategy) errs.push(required('spec.strategy'));
  else {
    if (strategy === OLDEST_EMULATION_VERSION && compareSemver(ev, ZERO_SEMVER) === 0) {
      errs.push(required('spec.emulationVersion', "must be specified when `strategy` is 'OldestEmulationVersion'"));
    }
    errs.push(...validateStrategy(strategy, 'spec.strategy'));
  }
  return errs;
}

/** The LeaseCandidate resource. */
export const leaseCandidates: ResourceDefinition<LeaseCandidate> = {
  ...declared('coordination.k8s.io', 'leasecandidates'),
  // Upstream's ValidLeaseCandidateName: a ConfigMap key (a trailing '-' is fine).
  nameValidator: isConfigMapKey,
  allowCreateOnUpdate: true,
  strategy: {
    validate: (obj) => validateSpec(obj.spec),
    validateUpdate(obj, old) {
      const errs = validateSpec(obj.spec);
      const leaseName = str(obj.spec?.leaseName);
      if (leaseName !== str(old.spec?.leaseName)) errs.push(invalidValue('spec.leaseName', leaseName, 'field is immutable'));
      return errs;
    },
  },
  selectableFields: (obj) => ({ 'spec.leaseName': str(obj.spec?.leaseName) }),
  printerColumns: [
    { name: 'LeaseName', type: 'string', description: 'LeaseName is the name of the lease for which this candidate is contending. This field is immutable.', cell: (obj) => str(obj.spec?.leaseName) },
    // Upstream describes these two from ObjectMeta's documentation, which has no such keys.
    { name: 'BinaryVersion', type: 'string', description: '', cell: (obj) => str(obj.spec?.binaryVersion) },
    { name: 'EmulationVersion', type: 'string', description: '', cell: (obj) => str(obj.spec?.emulationVersion) },
  ],
};
