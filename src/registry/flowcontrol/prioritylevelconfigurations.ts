/**
 * flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration: a priority level's share of
 * the server's concurrency and what happens to requests beyond it. Upstream's defaults
 * (limited: nominalConcurrencyShares 30, lendablePercent 0; exempt: both 0; queuing: 64
 * queues, hand size 8, queue length limit 50) and validation: type Exempt exactly for the
 * level named `exempt`, Limited levels with positive shares, a Queue or Reject response,
 * queues within shuffle sharding's entropy; the mandatory `catch-all` level keeps its fixed
 * spec and `exempt` all but its `exempt` settings. The levels are stored and served; the
 * server does not yet limit requests by them (API Priority and Fairness is not enforced).
 */
import type { LimitedPriorityLevelConfiguration, LimitResponse, PriorityLevelConfiguration, PriorityLevelConfigurationSpec, QueuingConfiguration } from '../../../gen/kube/flowcontrol-v1.js';
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { num, str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { mandatoryPriorityLevel } from './bootstrap-objects.js';
import { specsEqual, validateConditions } from './common.js';

const ENABLEMENTS = ['Exempt', 'Limited'];
const LIMIT_RESPONSES = ['Queue', 'Reject'];
const MAX_QUEUES = 10_000_000;
/** Shuffle sharding draws at most this many bits from a flow's hash. */
const MAX_HASH_BITS = 60;

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

function defaultQueuing(q: QueuingConfiguration): void {
  if (!num(q.handSize)) q.handSize = 8;
  if (!num(q.queues)) q.queues = 64;
  if (!num(q.queueLengthLimit)) q.queueLengthLimit = 50;
}

function defaultPriorityLevel(obj: PriorityLevelConfiguration): void {
  const spec = obj.spec;
  if (!spec) return;
  const limited = spec.limited;
  if (limited) {
    if (!isSet(limited.nominalConcurrencyShares)) limited.nominalConcurrencyShares = 30;
    if (!isSet(limited.lendablePercent)) limited.lendablePercent = 0;
    if (limited.limitResponse?.queuing) defaultQueuing(limited.limitResponse.queuing);
  }
  const exempt = spec.exempt;
  if (exempt) {
    if (!isSet(exempt.nominalConcurrencyShares)) exempt.nominalConcurrencyShares = 0;
    if (!isSet(exempt.lendablePercent)) exempt.lendablePercent = 0;
  }
}

function validateQueuing(q: QueuingConfiguration, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const queues = num(q.queues) ?? 0;
  const handSize = num(q.handSize) ?? 0;
  const limit = num(q.queueLengthLimit) ?? 0;
  if (limit <= 0) errs.push(invalidValue(`${path}.queueLengthLimit`, limit, 'must be positive'));
  if (queues <= 0) errs.push(invalidValue(`${path}.queues`, queues, 'must be positive'));
  else if (queues > MAX_QUEUES) errs.push(invalidValue(`${path}.queues`, queues, `must not be greater than ${MAX_QUEUES}`));
  if (handSize <= 0) errs.push(invalidValue(`${path}.handSize`, handSize, 'must be positive'));
  else if (handSize > queues) errs.push(invalidValue(`${path}.handSize`, handSize, `should not be greater than queues (${queues})`));
  else if (Math.ceil(Math.log2(queues) * handSize) > MAX_HASH_BITS) {
    errs.push(invalidValue(`${path}.handSize`, handSize, `required entropy bits of deckSize ${queues} and handSize ${handSize} should not be greater than ${MAX_HASH_BITS}`));
  }
  return errs;
}

function validateLimitResponse(lr: LimitResponse, path: string): FieldError[] {
  const type = str(lr.type);
  if (type === 'Reject') return lr.queuing ? [forbidden(`${path}.queuing`, 'must be nil if limited.limitResponse.type is not Limited')] : [];
  if (type === 'Queue') return lr.queuing ? validateQueuing(lr.queuing, `${path}.queuing`) : [required(`${path}.queuing`, 'must not be empty if limited.limitResponse.type is Limited')];
  return [notSupported(`${path}.type`, type, LIMIT_RESPONSES)];
}

function validateLendable(value: unknown, path: string): FieldError[] {
  const v = num(value);
  return v !== undefined && (v < 0 || v > 100) ? [invalidValue(path, v, 'must be between 0 and 100, inclusive')] : [];
}

function validateLimited(limited: LimitedPriorityLevelConfiguration, path: string): FieldError[] {
  const errs: FieldError[] = [];
  // Zero shares are refused on create and update alike, as upstream still does in 1.33.
  const shares = num(limited.nominalConcurrencyShares) ?? 0;
  if (shares <= 0) errs.push(invalidValue(`${path}.nominalConcurrencyShares`, shares, 'must be positive'));
  errs.push(...validateLimitResponse(limited.limitResponse ?? {}, `${path}.limitResponse`));
  errs.push(...validateLendable(limited.lendablePercent, `${path}.lendablePercent`));
  const borrowing = num(limited.borrowingLimitPercent);
  if (borrowing !== undefined && borrowing < 0) errs.push(invalidValue(`${path}.borrowingLimitPercent`, borrowing, 'if specified, must be a non-negative integer'));
  return errs;
}

function validateSpec(name: string, spec: PriorityLevelConfigurationSpec): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(spec.type);
  if ((name === 'exempt') !== (type === 'Exempt')) errs.push(invalidValue('spec.type', type, "type must be 'Exempt' if and only if name is 'exempt'"));
  if (type === 'Exempt') {
    if (spec.limited) errs.push(forbidden('spec.limited', 'must be nil if the type is not Limited'));
    if (spec.exempt) {
      const shares = num(spec.exempt.nominalConcurrencyShares);
      if (shares !== undefined && shares < 0) errs.push(invalidValue('spec.exempt.nominalConcurrencyShares', shares, 'must be a non-negative integer'));
      errs.push(...validateLendable(spec.exempt.lendablePercent, 'spec.exempt.lendablePercent'));
    }
  } else if (type === 'Limited') {
    if (spec.exempt) errs.push(forbidden('spec.exempt', 'must be nil if the type is Limited'));
    if (!spec.limited) errs.push(required('spec.limited', 'must not be empty when type is Limited'));
    else errs.push(...validateLimited(spec.limited, 'spec.limited'));
  } else {
    errs.push(notSupported('spec.type', type, ENABLEMENTS));
  }
  return errs;
}

/** The mandatory levels' fixed specs: all of catch-all's, all but the exempt settings of exempt's. */
function validateMandatory(name: string, spec: PriorityLevelConfigurationSpec): FieldError[] {
  const mandatory = mandatoryPriorityLevel(name);
  if (!mandatory) return [];
  const fixed = structuredClone(mandatory);
  defaultPriorityLevel(fixed);
  if (name === 'exempt') {
    const have = { ...spec, exempt: fixed.spec?.exempt };
    return specsEqual(have, fixed.spec) ? [] : [invalidValue('spec', spec, `spec of '${name}' except the 'spec.exempt' field must equal the fixed value`)];
  }
  return specsEqual(spec, fixed.spec) ? [] : [invalidValue('spec', spec, `spec of '${name}' must equal the fixed value`)];
}

/** v1beta3's round-trip marker for zero shares; it never belongs on a stored object. */
const PRESERVE_ZERO_SHARES = 'flowcontrol.k8s.io/v1beta3-preserve-zero-concurrency-shares';

function validatePriorityLevel(obj: PriorityLevelConfiguration): FieldError[] {
  const name = str(obj.metadata?.name);
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  if (obj.metadata?.annotations?.[PRESERVE_ZERO_SHARES] !== undefined) errs.push(forbidden('metadata.annotations', `annotation '${PRESERVE_ZERO_SHARES}' is forbidden`));
  return [...errs, ...validateSpec(name, spec), ...validateMandatory(name, spec), ...validateConditions(obj.status?.conditions)];
}

/** A limited level's number, or `<none>` (upstream's printer). */
function limitedCell(obj: PriorityLevelConfiguration, pick: (l: LimitedPriorityLevelConfiguration) => unknown): string | number {
  const limited = obj.spec?.limited;
  if (!limited) return '<none>';
  const v = pick(limited);
  return v === undefined ? '<none>' : (num(v) ?? 0);
}

const queuingCell =
  (key: keyof QueuingConfiguration) =>
  (obj: PriorityLevelConfiguration): string | number =>
    limitedCell(obj, (l) => (l.limitResponse?.queuing ? (l.limitResponse.queuing[key] ?? 0) : undefined));

/** The PriorityLevelConfiguration resource. */
export const priorityLevelConfigurations: ResourceDefinition<PriorityLevelConfiguration> = {
  ...declared('flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations', { v1: { defaults: (obj) => defaultPriorityLevel(obj as PriorityLevelConfiguration) } }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate(obj) {
      defaultPriorityLevel(obj);
      obj.status = {};
    },
    prepareForUpdate: defaultPriorityLevel,
    validate: validatePriorityLevel,
    validateUpdate: validatePriorityLevel,
  },
  statusStrategy: {
    validateUpdate: (obj) => validateConditions(obj.status?.conditions),
  },
  printerColumns: [
    {
      name: 'Type',
      type: 'string',
      description:
        '`type` indicates whether this priority level is subject to limitation on request execution.  A value of `"Exempt"` means that requests of this priority level are not subject to a limit (and thus are never queued) and do not detract from the capacity made available to other priority levels.  A value of `"Limited"` means that (a) requests of this priority level _are_ subject to limits and (b) some of the server\'s limited capacity is made available exclusively to this priority level. Required.',
      cell: (obj) => str(obj.spec?.type),
    },
    {
      name: 'NominalConcurrencyShares',
      type: 'string',
      description:
        '`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level. This is the number of execution seats available at this priority level. This is used both for requests dispatched from this priority level as well as requests dispatched from other priority levels borrowing seats from this level. The server\'s concurrency limit (ServerCL) is divided among the Limited priority levels in proportion to their NCS values:\n\nNominalCL(i)  = ceil( ServerCL * NCS(i) / sum_ncs ) sum_ncs = sum[priority level k] NCS(k)\n\nBigger numbers mean a larger nominal concurrency limit, at the expense of every other priority level.\n\nIf not specified, this field defaults to a value of 30.\n\nSetting this field to zero supports the construction of a "jail" for this priority level that is used to hold some request(s)',
      cell: (obj) => limitedCell(obj, (l) => l.nominalConcurrencyShares ?? 0),
    },
    {
      name: 'Queues',
      type: 'string',
      description:
        '`queues` is the number of queues for this priority level. The queues exist independently at each apiserver. The value must be positive.  Setting it to 1 effectively precludes shufflesharding and thus makes the distinguisher method of associated flow schemas irrelevant.  This field has a default value of 64.',
      cell: queuingCell('queues'),
    },
    {
      name: 'HandSize',
      type: 'string',
      description:
        "`handSize` is a small positive number that configures the shuffle sharding of requests into queues.  When enqueuing a request at this priority level the request's flow identifier (a string pair) is hashed and the hash value is used to shuffle the list of queues and deal a hand of the size specified here.  The request is put into one of the shortest queues in that hand. `handSize` must be no larger than `queues`, and should be significantly smaller (so that a few heavy flows do not saturate most of the queues).  See the user-facing documentation for more extensive guidance on setting this field.  This field has a default value of 8.",
      cell: queuingCell('handSize'),
    },
    {
      name: 'QueueLengthLimit',
      type: 'string',
      description:
        '`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time; excess requests are rejected.  This value must be positive.  If not specified, it will be defaulted to 50.',
      cell: queuingCell('queueLengthLimit'),
    },
  ],
};
