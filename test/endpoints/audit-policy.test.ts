/**
 * The audit policy as upstream's checker evaluates it: first matching rule wins, no match is
 * None, and each rule field (users, userGroups, verbs, resources with subresource and name
 * forms, namespaces with "" for cluster scope, nonResourceURLs with a trailing `*`), omitStages
 * joined with the policy's, omitManagedFields by rule over policy. Plus the log's backup names.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AuditAttributes, evaluatePolicy, parsePolicy } from '../../src/endpoints/audit/policy.js';
import { backupName } from '../../src/endpoints/audit/log-backend.js';
import { formatMicroTime } from '../../src/endpoints/audit/event.js';
import { restPath } from '../../src/endpoints/audit/auditor.js';
import { AuditContext } from '../../src/endpoints/audit/context.js';

const alice = { name: 'alice', groups: ['dev', 'system:authenticated'] };

function resource(over: Partial<Extract<AuditAttributes, { resourceRequest: true }>> = {}): AuditAttributes {
  return { user: alice, verb: 'get', resourceRequest: true, apiGroup: '', resource: 'pods', subresource: '', namespace: 'default', name: 'web', ...over };
}

const path = (p: string, verb = 'get'): AuditAttributes => ({ user: alice, verb, resourceRequest: false, path: p });

const POLICY = parsePolicy(`
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
omitManagedFields: true
rules:
  - level: None
    users: [system:kube-proxy]
  - level: None
    nonResourceURLs: ["/healthz*", /version]
  - level: Request
    resources: [{ group: "", resources: [pods/status] }]
    omitManagedFields: false
  - level: Metadata
    resources: [{ group: "", resources: ["*/log"] }]
  - level: RequestResponse
    resources: [{ group: apps, resources: ["deployments/*"] }]
    omitStages: [ResponseStarted]
  - level: Metadata
    resources: [{ group: "", resources: [configmaps], resourceNames: [special] }]
  - level: Request
    namespaces: [""]
    verbs: [list]
  - level: RequestResponse
    userGroups: [dev]
    namespaces: [team]
  - level: Metadata
    resources: [{ group: "" }]
`);

describe('audit policy', () => {
  it('picks the first matching rule; nothing matching is None with the policy\'s stages', () => {
    const level = (attrs: AuditAttributes) => evaluatePolicy(POLICY, attrs).level;
    assert.equal(level(resource({ user: { name: 'system:kube-proxy', groups: [] } })), 'None');
    assert.equal(level(resource()), 'Metadata', 'any core resource, last rule');
    assert.equal(level(resource({ subresource: 'status' })), 'Request', 'pods/status');
    assert.equal(level(resource({ subresource: 'log' })), 'Metadata', '*/log');
    assert.equal(level(resource({ apiGroup: 'apps', resource: 'deployments', subresource: 'scale' })), 'RequestResponse', 'deployments/*');
    assert.equal(level(resource({ apiGroup: 'apps', resource: 'deployments' })), 'RequestResponse', 'as upstream, deployments/* matches the resource itself too');
    assert.equal(level(resource({ apiGroup: 'apps', resource: 'replicasets' })), 'None', 'apps matches nothing else');
    assert.equal(level(resource({ apiGroup: 'apps', resource: 'deployments', namespace: 'team' })), 'RequestResponse', 'group dev in team');
    assert.equal(level(resource({ resource: 'configmaps', name: 'special', namespace: 'x' })), 'Metadata');
    assert.equal(level(resource({ apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', namespace: '', verb: 'list' })), 'Request', 'cluster scope is ""');
    assert.equal(level(resource({ apiGroup: 'rbac.authorization.k8s.io', resource: 'roles', namespace: 'x', verb: 'list' })), 'None');
    assert.equal(level(path('/healthz')), 'None');
    assert.equal(level(path('/healthz/etcd')), 'None');
    assert.equal(level(path('/version')), 'None');
    assert.equal(level(path('/versionz')), 'None', 'no rule for it: None');
    const unmatched = evaluatePolicy(POLICY, resource({ apiGroup: 'batch', resource: 'jobs' }));
    assert.deepEqual(unmatched, { level: 'None', omitStages: ['RequestReceived'], omitManagedFields: true });
  });

  it('joins the rule\'s omitStages with the policy\'s; a rule\'s omitManagedFields wins', () => {
    const deploy = evaluatePolicy(POLICY, resource({ apiGroup: 'apps', resource: 'deployments', subresource: 'scale' }));
    assert.deepEqual([...deploy.omitStages].sort(), ['RequestReceived', 'ResponseStarted']);
    assert.equal(deploy.omitManagedFields, true);
    assert.equal(evaluatePolicy(POLICY, resource({ subresource: 'status' })).omitManagedFields, false);
  });

  it('rules about users and groups do not match a request authentication refused', () => {
    const anonymous = { ...resource({ namespace: 'team' }) };
    delete anonymous.user;
    assert.equal(evaluatePolicy(POLICY, anonymous).level, 'Metadata');
  });

  it('refuses what upstream\'s validation refuses, in one line', () => {
    const bad = (text: string) => () => parsePolicy(text, 'p.yaml');
    assert.throws(bad('apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{ level: None }]'), {
      message: 'validation of audit policy file "p.yaml" failed: apiVersion: Unsupported value: "audit.k8s.io/v1beta1": supported values: "audit.k8s.io/v1"',
    });
    assert.throws(bad('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []'), { message: 'validation of audit policy file "p.yaml" failed: loaded illegal policy with 0 rules' });
    assert.throws(bad('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ verbs: [get] }]'), { message: 'validation of audit policy file "p.yaml" failed: rules[0].level: Required value' });
    assert.throws(bad('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ level: None, omitStages: [Done] }]'), /rules\[0\]\.omitStages\[0\]: Unsupported value: "Done"/);
    assert.throws(bad('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ level: None, nonResourceURLs: ["/a*b"] }]'), /wildcards '\*' must be the final character/);
    assert.throws(bad('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ level: None, nonResourceURLs: ["healthz"] }]'), /must begin with a '\/' character/);
    assert.throws(bad('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ level: None, resources: [{ group: "", resourceNames: [x] }] }]'), /resourceNames requires at least one resource/);
    assert.throws(bad('kind: [unclosed'), /^Error: failed decoding audit policy file "p.yaml": /);
  });
});

describe('audit event details', () => {
  it('backup names as lumberjack makes them, timestamps with microseconds, gRPC calls as REST paths', () => {
    const ms = Date.UTC(2026, 11, 2, 15, 4, 5, 123);
    assert.equal(backupName('/var/log/audit.log', ms), '/var/log/audit-2026-12-02T15-04-05.123.log');
    assert.equal(backupName('/var/log/audit', ms), '/var/log/audit-2026-12-02T15-04-05.123');
    assert.equal(formatMicroTime(ms + 0.456), '2026-12-02T15:04:05.123456Z');
    assert.equal(formatMicroTime(ms), '2026-12-02T15:04:05.123000Z');
    const signal = new AbortController().signal;
    const base = { credentials: {}, options: {}, signal };
    assert.equal(restPath({ ...base, action: { verb: 'get' }, group: '', version: 'v1', resource: 'pods', namespace: 'ns', name: 'p', subresource: 'status' }), '/api/v1/namespaces/ns/pods/p/status');
    assert.equal(restPath({ ...base, action: { verb: 'watch' }, group: 'apps', version: 'v1', resource: 'deployments' }), '/apis/apps/v1/deployments?watch=true');
    assert.equal(restPath({ ...base, action: { verb: 'delete' }, group: '', version: 'v1', resource: 'namespaces', name: 'team' }), '/api/v1/namespaces/team');
  });
});

describe('audit record', () => {
  const policyOf = (yaml: string) => parsePolicy(`apiVersion: audit.k8s.io/v1\nkind: Policy\n${yaml}`);
  const record = (yaml: string) => {
    const lines: string[] = [];
    const ctx = new AuditContext(
      { auditID: 'id-1', requestURI: '/api/v1/namespaces/ns/configmaps', verb: 'create', sourceIPs: ['10.0.0.1'], resource: { group: '', version: 'v1', resource: 'configmaps', subresource: '', namespace: 'ns', name: '' } },
      policyOf(yaml),
      { write: (line) => lines.push(line) },
    );
    return { ctx, events: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
  };
  const managed = { manager: 'm', operation: 'Update' };

  it('drops managedFields from the request and response objects (and list items) with omitManagedFields', () => {
    const { ctx, events } = record('omitManagedFields: true\nrules:\n  - level: RequestResponse\n');
    ctx.authenticated({ name: 'u', groups: [] });
    ctx.requestObject({ metadata: { name: 'a', managedFields: [managed] }, data: { k: 'v' } }, true);
    ctx.complete({ code: 201, object: () => ({ kind: 'ConfigMapList', metadata: {}, items: [{ metadata: { name: 'a', managedFields: [managed] } }] }) });
    const [received, completed] = events();
    assert.equal(received?.stage, 'RequestReceived');
    assert.equal(received?.stageTimestamp, received?.requestReceivedTimestamp);
    assert.deepEqual(completed?.requestObject, { metadata: { name: 'a' }, data: { k: 'v' } });
    assert.deepEqual(completed?.responseObject, { kind: 'ConfigMapList', metadata: {}, items: [{ metadata: { name: 'a' } }] });
    assert.deepEqual(completed?.objectRef, { resource: 'configmaps', namespace: 'ns', name: 'a', apiVersion: 'v1' });
  });

  it('keeps them without it; Request level records the request only; Metadata neither', () => {
    const full = record('rules:\n  - level: Request\n');
    full.ctx.authenticated({ name: 'u', groups: [] });
    full.ctx.requestObject({ metadata: { name: 'a', managedFields: [managed] } }, true);
    full.ctx.complete({ code: 201, object: () => ({ metadata: { name: 'a' } }) });
    const done = full.events()[1];
    assert.deepEqual(done?.requestObject, { metadata: { name: 'a', managedFields: [managed] } });
    assert.equal('responseObject' in (done ?? {}), false);
    const meta = record('rules:\n  - level: Metadata\n');
    meta.ctx.authenticated({ name: 'u', groups: [] });
    meta.ctx.requestObject({ metadata: { name: 'a' }, data: { secret: 'x' } }, true);
    meta.ctx.complete({ code: 201, object: () => ({ data: { secret: 'x' } }) });
    const metaDone = meta.events()[1] ?? {};
    assert.equal('requestObject' in metaDone || 'responseObject' in metaDone, false);
    assert.deepEqual(metaDone.objectRef, { resource: 'configmaps', namespace: 'ns', name: 'a', apiVersion: 'v1' });
  });

  it('an unexpected failure is the Panic stage instead of ResponseComplete; None writes nothing', () => {
    const { ctx, events } = record('omitStages: [RequestReceived]\nrules:\n  - level: Metadata\n');
    ctx.authenticated({ name: 'u', groups: [] });
    ctx.panic('boom');
    ctx.complete({ code: 200 });
    assert.deepEqual(events().map((e) => [e.stage, e.responseStatus]), [
      ['Panic', { metadata: {}, status: 'Failure', message: "APIServer panic'd: boom", reason: 'InternalError', code: 500 }],
    ]);
    const none = record('rules:\n  - level: None\n');
    none.ctx.authenticated({ name: 'u', groups: [] });
    none.ctx.complete({ code: 200 });
    assert.deepEqual(none.events(), []);
  });
});
