/**
 * flowcontrol.apiserver.k8s.io/v1 FlowSchema and PriorityLevelConfiguration through kubectl
 * 1.33: upstream's bootstrap configuration is there from the first start (specs compared
 * with k8s.io/apiserver 1.33's bootstrap set, written out literally here), both kinds print
 * upstream's columns, the `Dangling` condition follows the priority levels, validation
 * refuses what upstream refuses with its messages, and on restart the configuration
 * producer restores what it owns and leaves what the operator took over.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const MINOR = 33;
const FS = 'flowschemas.flowcontrol.apiserver.k8s.io';
const PL = 'prioritylevelconfigurations.flowcontrol.apiserver.k8s.io';
const GROUP = '/apis/flowcontrol.apiserver.k8s.io/v1';
const AUTO = 'apf.kubernetes.io/autoupdate-spec';

const groups = (...names: string[]) => names.map((name) => ({ kind: 'Group', group: { name } }));
const everything = { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] };

describe('flowcontrol kinds through kubectl 1.33', () => {
  let ts: TestServer;
  const k = async (args: string[], stdin?: string) => runKubectl(MINOR, ts.server.kubeconfigPath, args, stdin);
  const ok = async (args: string[], stdin?: string) => {
    const r = await k(args, stdin);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const json = async (args: string[]) => JSON.parse(await ok([...args, '-o', 'json']));
  const refused = async (manifest: unknown, message: string) => {
    const r = await k(['create', '-f', '-'], JSON.stringify(manifest));
    assert.notEqual(r.code, 0, r.stdout);
    assert.equal(r.stderr.trim(), message);
  };
  /** Table rows without the AGE column (at `age`). */
  const rows = (out: string, age: number) =>
    out
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).filter((_, i) => i !== age));
  const eventually = async (check: () => Promise<void>) => {
    for (let i = 0; ; i++) {
      try {
        return await check();
      } catch (err) {
        if (i >= 40) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  before(async () => {
    ts = await startTestServer();
  });
  after(async () => {
    await ts.stop();
  });

  it('serves both kinds cluster-scoped, without short names, with /status', async () => {
    const out = await ok(['api-resources', '--api-group=flowcontrol.apiserver.k8s.io', '--no-headers']);
    assert.deepEqual(rows(out, -1), [
      ['flowschemas', 'flowcontrol.apiserver.k8s.io/v1', 'false', 'FlowSchema'],
      ['prioritylevelconfigurations', 'flowcontrol.apiserver.k8s.io/v1', 'false', 'PriorityLevelConfiguration'],
    ]);
    const discovery = await api(ts.server, 'GET', GROUP);
    assert.deepEqual(
      discovery.body.resources.map((r: { name: string }) => r.name),
      ['flowschemas', 'flowschemas/status', 'prioritylevelconfigurations', 'prioritylevelconfigurations/status'],
    );
  });

  it("has upstream's bootstrap priority levels, with their specs and the autoupdate annotation", async () => {
    const exempt = await json(['get', PL, 'exempt']);
    assert.deepEqual(exempt.metadata.annotations, { [AUTO]: 'true' });
    assert.deepEqual(exempt.spec, { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } });
    assert.deepEqual((await json(['get', PL, 'catch-all'])).spec, {
      type: 'Limited',
      limited: { nominalConcurrencyShares: 5, lendablePercent: 0, limitResponse: { type: 'Reject' } },
    });
    assert.deepEqual((await json(['get', PL, 'global-default'])).spec, {
      type: 'Limited',
      limited: { nominalConcurrencyShares: 20, lendablePercent: 50, limitResponse: { type: 'Queue', queuing: { queues: 128, handSize: 6, queueLengthLimit: 50 } } },
    });
    assert.deepEqual((await json(['get', PL, 'leader-election'])).spec, {
      type: 'Limited',
      limited: { nominalConcurrencyShares: 10, lendablePercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 16, handSize: 4, queueLengthLimit: 50 } } },
    });
    const out = await ok(['get', 'prioritylevelconfigurations']);
    assert.match(out.split('\n')[0] ?? '', /^NAME\s+TYPE\s+NOMINALCONCURRENCYSHARES\s+QUEUES\s+HANDSIZE\s+QUEUELENGTHLIMIT\s+AGE$/);
    assert.deepEqual(rows(out, 6).slice(1), [
      ['catch-all', 'Limited', '5', '<none>', '<none>', '<none>'],
      ['exempt', 'Exempt', '<none>', '<none>', '<none>', '<none>'],
      ['global-default', 'Limited', '20', '128', '6', '50'],
      ['leader-election', 'Limited', '10', '16', '4', '50'],
      ['node-high', 'Limited', '40', '64', '6', '50'],
      ['system', 'Limited', '30', '64', '6', '50'],
      ['workload-high', 'Limited', '40', '128', '6', '50'],
      ['workload-low', 'Limited', '100', '128', '6', '50'],
    ]);
  });

  it("has upstream's bootstrap FlowSchemas, printed in matching order, none dangling", async () => {
    const exempt = await json(['get', FS, 'exempt']);
    assert.deepEqual(exempt.metadata.annotations, { [AUTO]: 'true' });
    assert.deepEqual(exempt.spec, { priorityLevelConfiguration: { name: 'exempt' }, matchingPrecedence: 1, rules: [{ subjects: groups('system:masters'), ...everything }] });
    assert.deepEqual((await json(['get', FS, 'probes'])).spec, {
      priorityLevelConfiguration: { name: 'exempt' },
      matchingPrecedence: 2,
      rules: [{ subjects: groups('system:unauthenticated', 'system:authenticated'), nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }] }],
    });
    assert.deepEqual((await json(['get', FS, 'system-leader-election'])).spec, {
      priorityLevelConfiguration: { name: 'leader-election' },
      matchingPrecedence: 100,
      distinguisherMethod: { type: 'ByUser' },
      rules: [
        {
          subjects: [
            { kind: 'User', user: { name: 'system:kube-controller-manager' } },
            { kind: 'User', user: { name: 'system:kube-scheduler' } },
            { kind: 'ServiceAccount', serviceAccount: { name: '*', namespace: 'kube-system' } },
          ],
          resourceRules: [{ verbs: ['get', 'create', 'update'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['*'] }],
        },
      ],
    });
    assert.deepEqual((await json(['get', FS, 'endpoint-controller'])).spec.rules[0].subjects, [
      { kind: 'User', user: { name: 'system:kube-controller-manager' } },
      { kind: 'ServiceAccount', serviceAccount: { name: 'endpoint-controller', namespace: 'kube-system' } },
      { kind: 'ServiceAccount', serviceAccount: { name: 'endpointslicemirroring-controller', namespace: 'kube-system' } },
    ]);
    await eventually(async () => {
      const conditions = (await json(['get', FS, 'catch-all'])).status.conditions;
      assert.deepEqual(
        conditions.map((c: Record<string, string>) => ({ ...c, lastTransitionTime: typeof c.lastTransitionTime })),
        [{ type: 'Dangling', status: 'False', reason: 'Found', message: 'This FlowSchema references the PriorityLevelConfiguration object named "catch-all" and it exists', lastTransitionTime: 'string' }],
      );
    });
    // Written as upstream's producer (an update) and consumer (a forced apply to /status) write them.
    const managed = (await json(['get', FS, 'catch-all', '--show-managed-fields'])).metadata.managedFields;
    assert.deepEqual(managed.map((m: Record<string, string>) => [m.manager, m.operation, m.subresource ?? '']).sort(), [
      ['api-priority-and-fairness-config-consumer-v1', 'Apply', 'status'],
      ['api-priority-and-fairness-config-producer-v1', 'Update', ''],
    ]);
    const out = await ok(['get', 'flowschemas']);
    assert.match(out.split('\n')[0] ?? '', /^NAME\s+PRIORITYLEVEL\s+MATCHINGPRECEDENCE\s+DISTINGUISHERMETHOD\s+AGE\s+MISSINGPL$/);
    assert.deepEqual(rows(out, 4).slice(1), [
      ['exempt', 'exempt', '1', '<none>', 'False'],
      ['probes', 'exempt', '2', '<none>', 'False'],
      ['system-leader-election', 'leader-election', '100', 'ByUser', 'False'],
      ['endpoint-controller', 'workload-high', '150', 'ByUser', 'False'],
      ['workload-leader-election', 'leader-election', '200', 'ByUser', 'False'],
      ['system-node-high', 'node-high', '400', 'ByUser', 'False'],
      ['system-nodes', 'system', '500', 'ByUser', 'False'],
      ['kube-controller-manager', 'workload-high', '800', 'ByNamespace', 'False'],
      ['kube-scheduler', 'workload-high', '800', 'ByNamespace', 'False'],
      ['kube-system-service-accounts', 'workload-high', '900', 'ByNamespace', 'False'],
      ['service-accounts', 'workload-low', '9000', 'ByUser', 'False'],
      ['global-default', 'global-default', '9900', 'ByUser', 'False'],
      ['catch-all', 'catch-all', '10000', 'ByUser', 'False'],
    ]);
  });

  it('marks a FlowSchema whose priority level is missing as dangling, until the level appears', async () => {
    await ok(['create', '-f', '-'], JSON.stringify({
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
      kind: 'FlowSchema',
      metadata: { name: 'reports' },
      spec: { priorityLevelConfiguration: { name: 'reporting' }, rules: [{ subjects: groups('reporters'), nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }] }] },
    }));
    const created = await json(['get', FS, 'reports']);
    assert.equal(created.spec.matchingPrecedence, 1000);
    assert.equal(created.metadata.generation, 1);
    const dangling = (status: string) =>
      eventually(async () => {
        const out = await ok(['get', FS, 'reports', '--no-headers']);
        assert.deepEqual(rows(out, 4), [['reports', 'reporting', '1000', '<none>', status]]);
      });
    await dangling('True');
    const condition = (await json(['get', FS, 'reports'])).status.conditions[0];
    assert.equal(condition.reason, 'NotFound');
    assert.equal(condition.message, 'This FlowSchema references the PriorityLevelConfiguration object named "reporting" but there is no such object');
    await ok(['create', '-f', '-'], JSON.stringify({
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
      kind: 'PriorityLevelConfiguration',
      metadata: { name: 'reporting' },
      spec: { type: 'Limited', limited: { limitResponse: { type: 'Reject' } } },
    }));
    assert.deepEqual((await json(['get', PL, 'reporting'])).spec.limited, { nominalConcurrencyShares: 30, lendablePercent: 0, limitResponse: { type: 'Reject' } });
    await dangling('False');
    await ok(['delete', PL, 'reporting']);
    await dangling('True');
    await ok(['delete', FS, 'reports']);
  });

  it("refuses invalid FlowSchemas with upstream's messages", async () => {
    const fs = (spec: unknown) => ({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'bad' }, spec });
    const rule = (extra: object) => ({ subjects: groups('g'), ...extra });
    await refused(fs({ priorityLevelConfiguration: { name: 'global-default' }, matchingPrecedence: 10001 }), 'The FlowSchema "bad" is invalid: spec.matchingPrecedence: Invalid value: 10001: must not be greater than 10000');
    await refused(fs({ matchingPrecedence: 5 }), 'The FlowSchema "bad" is invalid: spec.priorityLevelConfiguration.name: Required value: must reference a priority level');
    await refused(
      fs({ priorityLevelConfiguration: { name: 'global-default' }, rules: [{ subjects: [] }] }),
      'The FlowSchema "bad" is invalid: \n* spec.rules[0].subjects: Required value: subjects must contain at least one value\n* spec.rules[0]: Required value: at least one of resourceRules and nonResourceRules has to be non-empty',
    );
    await refused(
      fs({ priorityLevelConfiguration: { name: 'global-default' }, rules: [{ subjects: [{ kind: 'User' }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['healthz'] }] }] }),
      'The FlowSchema "bad" is invalid: \n* spec.rules[0].subjects[0].user: Required value: user is required when subject kind is \'User\'\n* spec.rules[0].nonResourceRules[0].nonResourceURLs[0]: Invalid value: "healthz": must start with slash',
    );
    await refused(
      fs({ priorityLevelConfiguration: { name: 'global-default' }, rules: [{ subjects: [{ kind: 'Robot' }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/*'] }] }] }),
      'The FlowSchema "bad" is invalid: spec.rules[0].subjects[0].kind: Unsupported value: "Robot": supported values: "Group", "ServiceAccount", "User"',
    );
    await refused(
      fs({ priorityLevelConfiguration: { name: 'global-default' }, rules: [rule({ resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] })] }),
      'The FlowSchema "bad" is invalid: spec.rules[0].resourceRules[0].namespaces: Required value: resource rules that are not cluster scoped must supply at least one namespace',
    );
    await refused(
      fs({ priorityLevelConfiguration: { name: 'global-default' }, rules: [{ subjects: [{ kind: 'ServiceAccount', serviceAccount: { name: 'ci' } }], resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], namespaces: ['Prod'] }] }] }),
      'The FlowSchema "bad" is invalid: \n* spec.rules[0].subjects[0].serviceAccount.namespace: Required value: must specify namespace for service account\n* spec.rules[0].resourceRules[0].namespaces[0]: Invalid value: "Prod": each member of this list must be \'*\' or a DNS-1123 label; a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')',
    );
    // The mandatory schemas keep their fixed specs.
    const r = await api(ts.server, 'PATCH', `${GROUP}/flowschemas/catch-all`, { spec: { matchingPrecedence: 9000 } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body.details.causes.map((c: { field: string; reason: string }) => [c.field, c.reason]), [['spec', 'FieldValueInvalid']]);
    assert.match(r.body.details.causes[0].message, /: spec of 'catch-all' must equal the fixed value$/);
  });

  it("refuses invalid priority levels with upstream's messages; the exempt level's own settings may change", async () => {
    const pl = (name: string, spec: unknown) => ({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name }, spec });
    await refused(
      pl('bad', { type: 'Limited', exempt: {} }),
      'The PriorityLevelConfiguration "bad" is invalid: \n* spec.exempt: Forbidden: must be nil if the type is Limited\n* spec.limited: Required value: must not be empty when type is Limited',
    );
    await refused(pl('bad', { type: 'Exempt' }), 'The PriorityLevelConfiguration "bad" is invalid: spec.type: Invalid value: "Exempt": type must be \'Exempt\' if and only if name is \'exempt\'');
    await refused(pl('bad', { type: 'Unlimited' }), 'The PriorityLevelConfiguration "bad" is invalid: spec.type: Unsupported value: "Unlimited": supported values: "Exempt", "Limited"');
    await refused(
      pl('bad', { type: 'Limited', limited: { nominalConcurrencyShares: 0, lendablePercent: 101, limitResponse: { type: 'Reject', queuing: {} } } }),
      'The PriorityLevelConfiguration "bad" is invalid: \n* spec.limited.nominalConcurrencyShares: Invalid value: 0: must be positive\n* spec.limited.limitResponse.queuing: Forbidden: must be nil if limited.limitResponse.type is not Limited\n* spec.limited.lendablePercent: Invalid value: 101: must be between 0 and 100, inclusive',
    );
    await refused(
      pl('bad', { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: { queues: 128, handSize: 10 } } } }),
      'The PriorityLevelConfiguration "bad" is invalid: spec.limited.limitResponse.queuing.handSize: Invalid value: 10: required entropy bits of deckSize 128 and handSize 10 should not be greater than 60',
    );
    await refused(
      pl('bad', { type: 'Limited', limited: { limitResponse: { type: 'Queue' } } }),
      'The PriorityLevelConfiguration "bad" is invalid: spec.limited.limitResponse.queuing: Required value: must not be empty if limited.limitResponse.type is Limited',
    );
    await refused(
      { ...pl('bad', { type: 'Limited', limited: { limitResponse: { type: 'Reject' } } }), metadata: { name: 'bad', annotations: { 'flowcontrol.k8s.io/v1beta3-preserve-zero-concurrency-shares': '' } } },
      "The PriorityLevelConfiguration \"bad\" is invalid: metadata.annotations: Forbidden: annotation 'flowcontrol.k8s.io/v1beta3-preserve-zero-concurrency-shares' is forbidden",
    );
    const patch = (name: string, body: unknown) => api(ts.server, 'PATCH', `${GROUP}/prioritylevelconfigurations/${name}`, body, { 'content-type': 'application/merge-patch+json' });
    const catchAll = await patch('catch-all', { spec: { limited: { nominalConcurrencyShares: 50 } } });
    assert.equal(catchAll.status, 422);
    assert.match(catchAll.body.details.causes[0].message, /: spec of 'catch-all' must equal the fixed value$/);
    const exempt = await patch('exempt', { spec: { exempt: { lendablePercent: 10 } } });
    assert.equal(exempt.status, 200, JSON.stringify(exempt.body));
    assert.deepEqual(exempt.body.spec.exempt, { nominalConcurrencyShares: 0, lendablePercent: 10 });
    assert.equal(exempt.body.metadata.generation, 2);
  });

  it('on restart, restores what the producer owns and leaves what the operator took over', async () => {
    const patch = async (resource: string, name: string, body: unknown) => {
      const r = await api(ts.server, 'PATCH', `${GROUP}/${resource}/${name}`, body, { 'content-type': 'application/merge-patch+json' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    };
    // Still auto-updated: put back.
    await patch('flowschemas', 'global-default', { spec: { matchingPrecedence: 9800 } });
    // Taken over by the operator: left alone.
    await patch('prioritylevelconfigurations', 'workload-low', { metadata: { annotations: { [AUTO]: 'false' } }, spec: { limited: { nominalConcurrencyShares: 77 } } });
    // No annotation and changed since it was created: left alone, and marked so.
    await patch('flowschemas', 'service-accounts', { metadata: { annotations: { [AUTO]: null } }, spec: { matchingPrecedence: 8000 } });
    // Mandatory: the annotation always comes back as "true"; exempt keeps its tuned settings.
    await patch('prioritylevelconfigurations', 'exempt', { metadata: { annotations: { [AUTO]: 'false' } } });
    // Deleted bootstrap objects come back.
    await ok(['delete', PL, 'catch-all']);
    await ok(['delete', FS, 'probes']);
    // Objects outside the bootstrap set: removed when they ask to be auto-updated, kept otherwise.
    const own = (name: string, annotations: Record<string, string>) => ({
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
      kind: 'FlowSchema',
      metadata: { name, annotations },
      spec: { priorityLevelConfiguration: { name: 'workload-low' }, rules: [{ subjects: groups('ops'), nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/version'] }] }] },
    });
    await ok(['create', '-f', '-'], JSON.stringify(own('retired', { [AUTO]: 'true' })));
    await ok(['create', '-f', '-'], JSON.stringify(own('ops', { team: 'ops' })));

    const dataDir = ts.dataDir;
    await ts.server.close();
    ts = { ...(await startTestServer({ dataDir })), dataDir };
    const restarted = ts;
    const stop = restarted.stop;
    restarted.stop = async () => {
      await stop();
      const { rm } = await import('node:fs/promises');
      await rm(dataDir, { recursive: true, force: true });
    };

    const globalDefault = await json(['get', FS, 'global-default']);
    assert.equal(globalDefault.spec.matchingPrecedence, 9900);
    assert.equal(globalDefault.metadata.annotations[AUTO], 'true');
    const workloadLow = await json(['get', PL, 'workload-low']);
    assert.equal(workloadLow.spec.limited.nominalConcurrencyShares, 77);
    assert.equal(workloadLow.metadata.annotations[AUTO], 'false');
    const serviceAccounts = await json(['get', FS, 'service-accounts']);
    assert.equal(serviceAccounts.spec.matchingPrecedence, 8000);
    assert.equal(serviceAccounts.metadata.annotations[AUTO], 'false');
    const exempt = await json(['get', PL, 'exempt']);
    assert.equal(exempt.metadata.annotations[AUTO], 'true');
    assert.deepEqual(exempt.spec, { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 10 } });
    assert.deepEqual((await json(['get', PL, 'catch-all'])).spec.limited, { nominalConcurrencyShares: 5, lendablePercent: 0, limitResponse: { type: 'Reject' } });
    assert.equal((await json(['get', FS, 'probes'])).spec.matchingPrecedence, 2);
    assert.equal((await k(['get', FS, 'retired'])).stderr.trim(), 'Error from server (NotFound): flowschemas.flowcontrol.apiserver.k8s.io "retired" not found');
    assert.deepEqual((await json(['get', FS, 'ops'])).metadata.annotations, { team: 'ops' });
  });
});
