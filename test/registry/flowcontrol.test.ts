/**
 * FlowSchema and PriorityLevelConfiguration validation and defaults as upstream's
 * pkg/apis/flowcontrol/validation and v1 defaults state them (field paths, error types and
 * messages), on the strategies directly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowSchema, PriorityLevelConfiguration } from '../../gen/kube/flowcontrol-v1.js';
import type { FieldError } from '../../src/machinery/validation/field-error.js';
import { flowSchemas } from '../../src/registry/flowcontrol/flowschemas.js';
import { priorityLevelConfigurations } from '../../src/registry/flowcontrol/prioritylevelconfigurations.js';

const brief = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${e.type}${e.detail ? `: ${e.detail}` : ''}`);

function fsErrors(spec: FlowSchema['spec'], name = 'fs'): string[] {
  const obj: FlowSchema = { metadata: { name }, spec: structuredClone(spec) };
  flowSchemas.strategy.prepareForCreate?.(obj);
  return brief(flowSchemas.strategy.validate?.(obj) ?? []);
}

function plErrors(spec: PriorityLevelConfiguration['spec'], name = 'pl'): string[] {
  const obj: PriorityLevelConfiguration = { metadata: { name }, spec: structuredClone(spec) };
  priorityLevelConfigurations.strategy.prepareForCreate?.(obj);
  return brief(priorityLevelConfigurations.strategy.validate?.(obj) ?? []);
}

const pl = { priorityLevelConfiguration: { name: 'global-default' } };
const group = [{ kind: 'Group', group: { name: 'g' } }];

describe('FlowSchema validation', () => {
  it('defaults matchingPrecedence to 1000 and accepts a full schema', () => {
    const obj: FlowSchema = { metadata: { name: 'fs' }, spec: { ...pl, rules: [{ subjects: group, nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['/healthz/*'] }] }] } };
    flowSchemas.strategy.prepareForCreate?.(obj);
    assert.equal(obj.spec?.matchingPrecedence, 1000);
    assert.deepEqual(flowSchemas.strategy.validate?.(obj), []);
  });

  it('precedence: positive, at most 10000, 1 only for exempt', () => {
    assert.deepEqual(fsErrors({ ...pl, matchingPrecedence: -1 }), ['spec.matchingPrecedence: Invalid: must be a positive value']);
    assert.deepEqual(fsErrors({ ...pl, matchingPrecedence: 1 }), ["spec.matchingPrecedence: Invalid: only the schema named 'exempt' may have matchingPrecedence 1"]);
  });

  it('distinguisher method and priority level name', () => {
    assert.deepEqual(fsErrors({ priorityLevelConfiguration: { name: 'Bad_Name' }, distinguisherMethod: { type: 'ByGroup' } }), [
      'spec.distinguisherMethod.type: NotSupported: supported values: "ByNamespace", "ByUser"',
      "spec.priorityLevelConfiguration.name: Invalid: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
  });

  it('subjects: the member of the kind required, the others forbidden', () => {
    assert.deepEqual(
      fsErrors({ ...pl, rules: [{ subjects: [{ kind: 'Group', user: { name: 'u' }, serviceAccount: { name: 'a', namespace: 'n' } }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/'] }] }] }),
      [
        "spec.rules[0].subjects[0].group: Required: group is required when subject kind is 'Group'",
        "spec.rules[0].subjects[0].serviceAccount: Forbidden: serviceAccount is forbidden when subject kind is not 'ServiceAccount'",
        "spec.rules[0].subjects[0].user: Forbidden: user is forbidden when subject kind is not 'User'",
      ],
    );
    assert.deepEqual(fsErrors({ ...pl, rules: [{ subjects: [{ kind: 'ServiceAccount', serviceAccount: { namespace: 'n' } }, { kind: 'User', user: {} }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/'] }] }] }), [
      'spec.rules[0].subjects[0].serviceAccount.name: Required',
      'spec.rules[0].subjects[1].user.name: Required',
    ]);
  });

  it('resource rules: verbs known, wildcards alone', () => {
    const rule = (r: object) => fsErrors({ ...pl, rules: [{ subjects: group, resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], clusterScope: true, ...r }] }] });
    assert.deepEqual(rule({ verbs: ['get', 'escalate'] }), [
      'spec.rules[0].resourceRules[0].verbs: NotSupported: supported values: "create", "delete", "deletecollection", "get", "list", "patch", "proxy", "update", "watch"',
    ]);
    assert.deepEqual(rule({ verbs: ['*', 'get'], apiGroups: ['*', 'apps'], resources: ['*', 'pods'], namespaces: ['*', 'default'] }), [
      "spec.rules[0].resourceRules[0].verbs: Invalid: if '*' is present, must not specify other verbs",
      "spec.rules[0].resourceRules[0].apiGroups: Invalid: if '*' is present, must not specify other api groups",
      "spec.rules[0].resourceRules[0].resources: Invalid: if '*' is present, must not specify other resources",
      "spec.rules[0].resourceRules[0].namespaces: Invalid: if '*' is present, must not specify other namespaces",
    ]);
    assert.deepEqual(rule({ verbs: [], apiGroups: [], resources: [] }), [
      'spec.rules[0].resourceRules[0].verbs: Required: verbs must contain at least one value',
      'spec.rules[0].resourceRules[0].apiGroups: Required: resource rules must supply at least one api group',
      'spec.rules[0].resourceRules[0].resources: Required: resource rules must supply at least one resource',
    ]);
  });

  it('non-resource URLs: rooted, no blanks or double slashes, suffix wildcards only', () => {
    const urls = (nonResourceURLs: string[]) => fsErrors({ ...pl, rules: [{ subjects: group, nonResourceRules: [{ verbs: ['get'], nonResourceURLs }] }] });
    assert.deepEqual(urls(['/', '/apis/', '/healthz/*']), []);
    assert.deepEqual(urls(['', '/a b', '//', '/health*', '/*/*']), [
      'spec.rules[0].nonResourceRules[0].nonResourceURLs[0]: Invalid: must not be empty',
      'spec.rules[0].nonResourceRules[0].nonResourceURLs[1]: Invalid: must not contain white-space',
      'spec.rules[0].nonResourceRules[0].nonResourceURLs[2]: Invalid: must not contain double slash',
      'spec.rules[0].nonResourceRules[0].nonResourceURLs[3]: Invalid: wildcard can only do suffix matching',
      'spec.rules[0].nonResourceRules[0].nonResourceURLs[4]: Invalid: wildcard can only do suffix matching',
    ]);
    assert.deepEqual(urls(['*', '/x']), ["spec.rules[0].nonResourceRules[0].nonResourceURLs: Invalid: if '*' is present, must not specify other non-resource URLs"]);
  });

  it('the mandatory exempt schema keeps its fixed spec', () => {
    const exempt = {
      priorityLevelConfiguration: { name: 'exempt' },
      matchingPrecedence: 1,
      rules: [
        {
          subjects: [{ kind: 'Group', group: { name: 'system:masters' } }],
          resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }],
          nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        },
      ],
    };
    assert.deepEqual(fsErrors(exempt, 'exempt'), []);
    assert.deepEqual(fsErrors({ ...exempt, distinguisherMethod: { type: 'ByUser' } }, 'exempt'), ["spec: Invalid: spec of 'exempt' must equal the fixed value"]);
  });

  it('status conditions: a type, once each', () => {
    const errs = flowSchemas.statusStrategy?.validateUpdate?.({ status: { conditions: [{ type: 'Dangling' }, { type: 'Dangling' }, {}] } }, {}) ?? [];
    assert.deepEqual(brief(errs), ['status.conditions[1].type: Duplicate', 'status.conditions[2].type: Required: must not be empty']);
  });
});

describe('PriorityLevelConfiguration validation', () => {
  it('defaults limited shares, lendable percent and queuing; exempt settings', () => {
    const limited: PriorityLevelConfiguration = { metadata: { name: 'pl' }, spec: { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: {} } } } };
    priorityLevelConfigurations.strategy.prepareForCreate?.(limited);
    assert.deepEqual(limited.spec?.limited, { nominalConcurrencyShares: 30, lendablePercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 64, handSize: 8, queueLengthLimit: 50 } } });
    const exempt: PriorityLevelConfiguration = { metadata: { name: 'exempt' }, spec: { type: 'Exempt', exempt: {} } };
    priorityLevelConfigurations.strategy.prepareForCreate?.(exempt);
    assert.deepEqual(exempt.spec?.exempt, { nominalConcurrencyShares: 0, lendablePercent: 0 });
    assert.deepEqual(priorityLevelConfigurations.strategy.validate?.(exempt), []);
  });

  it('queues: positive and at most 10^7, hand size within queues and entropy', () => {
    const q = (queuing: object) => plErrors({ type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing } } });
    assert.deepEqual(q({ queues: 10_000_000, handSize: 2, queueLengthLimit: 1 }), []);
    assert.deepEqual(q({ queues: 2147483647, handSize: 3, queueLengthLimit: -1 }), [
      'spec.limited.limitResponse.queuing.queueLengthLimit: Invalid: must be positive',
      'spec.limited.limitResponse.queuing.queues: Invalid: must not be greater than 10000000',
      'spec.limited.limitResponse.queuing.handSize: Invalid: required entropy bits of deckSize 2147483647 and handSize 3 should not be greater than 60',
    ]);
    assert.deepEqual(q({ queues: 512, handSize: 8 }), ['spec.limited.limitResponse.queuing.handSize: Invalid: required entropy bits of deckSize 512 and handSize 8 should not be greater than 60']);
  });

  it('limited: borrowing limit non-negative, limit response type known', () => {
    assert.deepEqual(plErrors({ type: 'Limited', limited: { borrowingLimitPercent: -1, limitResponse: { type: 'Drop' } } }), [
      'spec.limited.limitResponse.type: NotSupported: supported values: "Queue", "Reject"',
      'spec.limited.borrowingLimitPercent: Invalid: if specified, must be a non-negative integer',
    ]);
  });

  it('the exempt level: type fixed, only its exempt settings may change', () => {
    assert.deepEqual(plErrors({ type: 'Exempt', exempt: { nominalConcurrencyShares: -1, lendablePercent: -1 } }, 'exempt'), [
      'spec.exempt.nominalConcurrencyShares: Invalid: must be a non-negative integer',
      'spec.exempt.lendablePercent: Invalid: must be between 0 and 100, inclusive',
    ]);
    assert.deepEqual(plErrors({ type: 'Exempt', exempt: { nominalConcurrencyShares: 10, lendablePercent: 10 } }, 'exempt'), []);
    assert.deepEqual(plErrors({ type: 'Limited', exempt: {}, limited: { nominalConcurrencyShares: 42, limitResponse: { type: 'Reject' } } }, 'exempt'), [
      "spec.type: Invalid: type must be 'Exempt' if and only if name is 'exempt'",
      'spec.exempt: Forbidden: must be nil if the type is Limited',
      "spec: Invalid: spec of 'exempt' except the 'spec.exempt' field must equal the fixed value",
    ]);
    assert.deepEqual(plErrors({ type: 'Exempt', exempt: {}, limited: { nominalConcurrencyShares: 42, limitResponse: { type: 'Reject' } } }, 'exempt'), [
      'spec.limited: Forbidden: must be nil if the type is not Limited',
      "spec: Invalid: spec of 'exempt' except the 'spec.exempt' field must equal the fixed value",
    ]);
  });

  it('the catch-all level keeps its fixed spec', () => {
    assert.deepEqual(plErrors({ type: 'Limited', limited: { nominalConcurrencyShares: 5, limitResponse: { type: 'Reject' } } }, 'catch-all'), []);
    assert.deepEqual(plErrors({ type: 'Limited', limited: { nominalConcurrencyShares: 42, limitResponse: { type: 'Reject' } } }, 'catch-all'), ["spec: Invalid: spec of 'catch-all' must equal the fixed value"]);
  });
});
