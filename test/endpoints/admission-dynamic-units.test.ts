/**
 * The pure parts of webhook and policy admission against upstream's rules and wording: rule
 * matching (scope, operations, wildcards, subresource forms), the checks of a webhook's answer,
 * the refusal Status, the URL as Go prints it, and CEL evaluation and its errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileExpression, toCel } from '../../src/endpoints/admission/policy/cel.js';
import { compilePolicy } from '../../src/endpoints/admission/policy/validator.js';
import { webhookLocation } from '../../src/endpoints/admission/webhook/client.js';
import { webhookDenied, WebhookCallError } from '../../src/endpoints/admission/webhook/errors.js';
import { verifyAdmissionResponse } from '../../src/endpoints/admission/webhook/review.js';
import { isExemptAdmissionConfiguration, ruleMatches, type RuleSubject } from '../../src/endpoints/admission/webhook/rules.js';

const pods = (extra: Partial<RuleSubject> = {}): RuleSubject => ({ operation: 'CREATE', group: '', version: 'v1', resource: 'pods', namespace: 'default', ...extra });

describe('webhook rules', () => {
  it('match operations, groups, versions and resources with wildcards', () => {
    const rule = { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] };
    assert.equal(ruleMatches(rule, pods()), true);
    assert.equal(ruleMatches(rule, pods({ operation: 'UPDATE' })), false);
    assert.equal(ruleMatches({ ...rule, operations: ['*'] }, pods({ operation: 'DELETE' })), true);
    assert.equal(ruleMatches({ ...rule, apiGroups: ['apps'] }, pods()), false);
    assert.equal(ruleMatches({ ...rule, apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }, pods({ group: 'apps', resource: 'deployments' })), true);
  });

  it('match subresources only through their resource/subresource forms', () => {
    const rule = (resources: string[]) => ({ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources });
    const status = pods({ subresource: 'status', operation: 'UPDATE' });
    assert.equal(ruleMatches(rule(['pods']), status), false);
    assert.equal(ruleMatches(rule(['*']), status), false);
    assert.equal(ruleMatches(rule(['pods/status']), status), true);
    assert.equal(ruleMatches(rule(['*/status']), status), true);
    assert.equal(ruleMatches(rule(['pods/*']), status), true);
    assert.equal(ruleMatches(rule(['pods/*']), pods()), true);
    assert.equal(ruleMatches(rule(['*/*']), pods()), true);
  });

  it('match scope as upstream: a Namespace is cluster-scoped', () => {
    const rule = (scope: string) => ({ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], scope });
    assert.equal(ruleMatches(rule('Namespaced'), pods()), true);
    assert.equal(ruleMatches(rule('Cluster'), pods()), false);
    const ns = pods({ resource: 'namespaces', namespace: 'team' });
    assert.equal(ruleMatches(rule('Cluster'), ns), true);
    assert.equal(ruleMatches(rule('Namespaced'), ns), false);
    assert.equal(ruleMatches(rule('Cluster'), pods({ resource: 'nodes', namespace: undefined })), true);
    assert.equal(ruleMatches(rule('*'), pods({ resource: 'nodes', namespace: undefined })), true);
  });

  it('exempt the admission configuration kinds', () => {
    assert.equal(isExemptAdmissionConfiguration({ group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingWebhookConfiguration' }), true);
    assert.equal(isExemptAdmissionConfiguration({ group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingAdmissionPolicyBinding' }), true);
    assert.equal(isExemptAdmissionConfiguration({ group: '', version: 'v1', kind: 'ConfigMap' }), false);
  });
});

describe('webhook answers and errors', () => {
  const review = (response: unknown, kind = 'AdmissionReview', apiVersion = 'admission.k8s.io/v1') => ({ kind, apiVersion, response });

  it('refuse answers upstream would not accept, with its messages', () => {
    const bad = (mutating: boolean, r: unknown) => {
      try {
        verifyAdmissionResponse('u1', mutating, r);
        return 'accepted';
      } catch (err) {
        return (err as Error).message;
      }
    };
    assert.equal(bad(false, {}), 'webhook response was absent');
    assert.equal(bad(false, review({ uid: 'u2', allowed: true })), 'expected response.uid="u1", got "u2"');
    assert.equal(bad(false, review({ uid: 'u1', allowed: true }, 'AdmissionReview', 'admission.k8s.io/v1beta1')), 'expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got admission.k8s.io/v1beta1, Kind=AdmissionReview');
    assert.equal(bad(false, review({ uid: 'u1', allowed: true, patch: 'W10=' })), 'validating webhook may not return response.patch');
    assert.equal(bad(false, review({ uid: 'u1', allowed: true, patchType: 'JSONPatch' })), 'validating webhook may not return response.patchType');
    assert.equal(bad(true, review({ uid: 'u1', allowed: true, patch: 'W10=' })), 'webhook returned response.patch but not response.patchType');
    assert.equal(bad(true, review({ uid: 'u1', allowed: true, patchType: 'JSONPatch' })), 'webhook returned response.patchType but not response.patch');
    assert.equal(bad(true, review({ uid: 'u1', allowed: true, patch: 'W10=', patchType: 'JSONPatch' })), 'accepted');
  });

  it('word a refusal as upstream 1.33 does', () => {
    const s = (status: unknown) => webhookDenied('w.example.com', status as never).status;
    assert.deepEqual(s(undefined), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'admission webhook "w.example.com" denied the request without explanation', code: 400 });
    assert.deepEqual([s({ code: 200, message: 'm' }).code, s({ code: 200, message: 'm' }).message], [400, 'admission webhook "w.example.com" denied the request: m']);
    assert.deepEqual([s({ reason: 'Forbidden' }).code, s({ reason: 'Forbidden' }).reason, s({ reason: 'Forbidden' }).message], [400, 'Forbidden', 'admission webhook "w.example.com" denied the request: Forbidden']);
    assert.deepEqual([s({ code: 429, reason: 'TooManyRequests', message: 'slow' }).code, s({ code: 429 }).reason], [429, undefined]);
    const failed = new WebhookCallError('w.example.com', 'failed to call webhook: Post "https://h/?timeout=10s": context deadline exceeded').toApiError().status;
    assert.deepEqual([failed.code, failed.reason, failed.message], [500, 'InternalError', 'Internal error occurred: failed calling webhook "w.example.com": failed to call webhook: Post "https://h/?timeout=10s": context deadline exceeded']);
  });

  it('print the URL as Go does: the port as written, the Service form with its port', () => {
    assert.equal(webhookLocation({ url: 'https://hook.example.com:443/check' }, 10_000).display, 'https://hook.example.com:443/check?timeout=10s');
    assert.equal(webhookLocation({ url: 'https://hook.example.com/check' }, 5_000).display, 'https://hook.example.com/check?timeout=5s');
    assert.equal(webhookLocation({ service: { namespace: 'ns', name: 'svc' } }, 30_000).display, 'https://svc.ns.svc:443/?timeout=30s');
    assert.equal(webhookLocation({ service: { namespace: 'ns', name: 'svc', port: 8443, path: '/v' } }, 10_000).display, 'https://svc.ns.svc:8443/v?timeout=10s');
  });
});

describe('CEL', () => {
  const run = (expression: string, object: unknown) => {
    const out = compileExpression(expression).evaluate({ object: toCel(object), oldObject: null });
    return 'error' in out ? out.error : out.value;
  };

  it('evaluates over Kubernetes JSON: ints, has(), size(), strings, lists, macros', () => {
    const obj = { metadata: { name: 'web-1', labels: { app: 'web' } }, spec: { replicas: 3, ratio: 0.5, ports: [80, 443], names: ['b', 'a'] } };
    assert.equal(run('object.spec.replicas == 3', obj), true);
    assert.equal(run('object.spec.ratio < 1.0', obj), true);
    assert.equal(run('has(object.spec.paused)', obj), false);
    assert.equal(run('size(object.metadata.labels) == 1', obj), true);
    assert.equal(run("object.metadata.name.startsWith('web-') && object.metadata.name.matches('^[a-z]+-[0-9]$')", obj), true);
    assert.equal(run('object.spec.ports.all(p, p > 0) && object.spec.ports.exists(p, p == 443)', obj), true);
    assert.equal(run("object.metadata.name.split('-')[1] == '1'", obj), true);
    assert.equal(run('object.spec.ports.sum() == 523 && object.spec.ports.max() == 443 && !object.spec.names.isSorted()', obj), true);
    assert.equal(run("object.metadata.name.find('[0-9]+') == '1'", obj), true);
    assert.equal(run("'app' in object.metadata.labels", obj), true);
  });

  it('words errors as upstream: no such key, compilation failed', () => {
    assert.equal(run('object.spec.paused', { spec: {} }), "expression 'object.spec.paused' resulted in error: no such key: paused");
    assert.match(String(run('object.spec +', {})), /^compilation error: compilation failed: ERROR: <input>:1:/);
  });

  it('a policy decides per validation, with message fallbacks and failure policy', () => {
    const p = compilePolicy({
      metadata: { name: 'p' },
      spec: {
        failurePolicy: 'Ignore',
        variables: [{ name: 'limit', expression: '5' }],
        validations: [
          { expression: 'object.spec.replicas <= variables.limit', messageExpression: "'too many: ' + string(object.spec.replicas)" },
          { expression: 'object.spec.replicas > 1', message: '  too few  ' },
          { expression: 'object.spec.replicas != 9' },
          { expression: 'object.spec.nothing' },
        ],
      },
    });
    assert.deepEqual(p.evaluate({ object: toCel({ spec: { replicas: 9 } }) }), [
      { action: 'deny', message: 'too many: 9', reason: 'Invalid' },
      { action: 'admit' },
      { action: 'deny', message: 'failed expression: object.spec.replicas != 9', reason: 'Invalid' },
      { action: 'admit', error: true },
    ]);
    assert.deepEqual(p.evaluate({ object: toCel({ spec: { replicas: 1 } }) })[1], { action: 'deny', message: 'too few', reason: 'Invalid' });
  });
});
