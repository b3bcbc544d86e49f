/**
 * PodSecurity's policy pieces on their own: each check's reason and detail in upstream's words
 * (the cases of upstream's policy/check_*_test.go), the check order and overrides per level,
 * the namespace labels' parsing with upstream's fallbacks, and the existing-pod warnings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluatePod } from '../../src/endpoints/admission/pod-security/evaluate.js';
import { existingPodWarnings } from '../../src/endpoints/admission/pod-security/existing-pods.js';
import { policyToEvaluate } from '../../src/endpoints/admission/pod-security/levels.js';
import type { PodMetadata, PodSpec } from '../../src/endpoints/admission/pod-security/pod-shape.js';

const baseline = (spec: PodSpec, meta: PodMetadata = {}) => evaluatePod('baseline', meta, spec)?.details;
const restricted = (spec: PodSpec, meta: PodMetadata = {}) => evaluatePod('restricted', meta, spec)?.details;
/** A restricted-compliant pod, with `extra` merged into its spec. */
const compliant = (containers: PodSpec['containers'], extra: PodSpec = {}): PodSpec => ({
  ...extra,
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, ...extra.securityContext },
  containers: containers?.map((c) => ({ ...c, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, ...c.securityContext } })),
});

describe('PodSecurity baseline checks', () => {
  it('words each finding as upstream does', () => {
    assert.equal(baseline({ hostNetwork: true, hostPID: true, hostIPC: true, containers: [{ name: 'a' }] }), 'host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)');
    assert.equal(
      baseline({ containers: [{ name: 'a', ports: [{ hostPort: 0 }] }, { name: 'b', ports: [{ hostPort: 20 }, { hostPort: 10 }] }, { name: 'c', ports: [{ hostPort: 30 }] }] }),
      'hostPort (containers "b", "c" use hostPorts 10, 20, 30)',
    );
    assert.equal(
      baseline({ containers: [{ name: 'a', securityContext: { capabilities: { add: ['FOO', 'CHOWN'] } } }, { name: 'b', securityContext: { capabilities: { add: ['BAZ', 'BAR'] } } }] }),
      'non-default capabilities (containers "a", "b" must not include "BAR", "BAZ", "FOO" in securityContext.capabilities.add)',
    );
    assert.equal(baseline({ containers: [{ name: 'a' }], volumes: [{ name: 'a', hostPath: { path: '/' } }, { name: 'b', hostPath: {} }, { name: 'c', emptyDir: {} }] }), 'hostPath volumes (volumes "a", "b")');
    assert.equal(
      baseline({ securityContext: { windowsOptions: { hostProcess: true } }, containers: [{ name: 'e', securityContext: { windowsOptions: { hostProcess: true } } }, { name: 'f', securityContext: { windowsOptions: { hostProcess: true } } }] }),
      'hostProcess (pod and containers "e", "f" must not set securityContext.windowsOptions.hostProcess=true)',
    );
    assert.equal(
      baseline({ containers: [{ name: 'd', securityContext: { procMount: 'Unmasked' } }, { name: 'e', securityContext: { procMount: 'other' } }, { name: 'f', securityContext: { procMount: 'Default' } }] }),
      'procMount (containers "d", "e" must not set securityContext.procMount to "Unmasked", "other")',
    );
    assert.equal(
      baseline({ securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [{ name: 'c', securityContext: { seccompProfile: { type: 'Unconfined' } } }, { name: 'd', securityContext: { seccompProfile: { type: 'Unconfined' } } }] }),
      'seccompProfile (pod and containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined")',
    );
    assert.equal(
      baseline({
        securityContext: { seLinuxOptions: { type: 'foo' } },
        containers: [{ name: 'e', securityContext: { seLinuxOptions: { type: 'bar' } } }, { name: 'f', securityContext: { seLinuxOptions: { user: 'u' } } }, { name: 'g', securityContext: { seLinuxOptions: { role: 'r' } } }, { name: 'h', securityContext: { seLinuxOptions: { type: 'container_engine_t', level: 's0' } } }],
      }),
      'seLinuxOptions (pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set)',
    );
    assert.equal(
      baseline({ securityContext: { appArmorProfile: { type: 'Unconfined' } }, containers: [{ name: 'foo', securityContext: { appArmorProfile: { type: 'Localhost' } } }] }),
      'forbidden AppArmor profile (pod must not set AppArmor profile type to "Unconfined")',
    );
    assert.equal(
      baseline({ containers: [{ name: 'a' }] }, { annotations: { 'container.apparmor.security.beta.kubernetes.io/a': 'unconfined', 'container.apparmor.security.beta.kubernetes.io/b': 'runtime/default' } }),
      'forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/a="unconfined"")',
    );
    assert.equal(
      baseline({ securityContext: { sysctls: [{ name: 'a' }, { name: 'net.ipv4.tcp_rmem' }, { name: 'b' }] }, containers: [{ name: 'a' }] }),
      'forbidden sysctls (a, b)',
    );
    assert.equal(baseline({ containers: [{ name: 'd', securityContext: { privileged: true } }, { name: 'e', securityContext: { privileged: true } }, { name: 'f', securityContext: { privileged: false } }] }), 'privileged (containers "d", "e" must not set securityContext.privileged=true)');
  });

  it('checks init and ephemeral containers, and allows the default capabilities and a plain pod', () => {
    assert.equal(baseline({ initContainers: [{ name: 'i', securityContext: { privileged: true } }], containers: [{ name: 'c' }], ephemeralContainers: [{ name: 'e', securityContext: { privileged: true } }] }), 'privileged (containers "i", "e" must not set securityContext.privileged=true)');
    assert.equal(baseline({ containers: [{ name: 'c', securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'CHOWN', 'SYS_CHROOT'] } } }] }), undefined);
    assert.equal(baseline({ containers: [{ name: 'c', image: 'nginx' }] }), undefined);
  });

  it('orders findings by check id', () => {
    assert.equal(
      evaluatePod('baseline', {}, { hostNetwork: true, volumes: [{ name: 'v', hostPath: {} }], containers: [{ name: 'c', securityContext: { privileged: true, capabilities: { add: ['NET_RAW'] } } }] })?.reasons,
      'non-default capabilities, host namespaces, hostPath volumes, privileged',
    );
  });
});

describe('PodSecurity restricted checks', () => {
  it('words each finding as upstream does', () => {
    assert.equal(
      restricted(compliant([{ name: 'a', securityContext: { capabilities: { drop: ['NET_RAW'], add: ['FOO', 'NET_BIND_SERVICE'] } } }, { name: 'b', securityContext: { capabilities: { add: ['BAR'] } } }, { name: 'c', securityContext: { capabilities: { drop: ['ALL'], add: ['CHOWN', 'BAZ'] } } }])),
      'unrestricted capabilities (containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in securityContext.capabilities.add)',
    );
    assert.equal(
      restricted(compliant([{ name: 'a' }], { securityContext: { runAsNonRoot: false, runAsUser: 0 } })),
      'runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false), runAsUser=0 (pod must not set runAsUser=0)',
    );
    assert.equal(
      restricted(compliant([{ name: 'c', securityContext: { runAsNonRoot: false, runAsUser: 0 } }, { name: 'd', securityContext: { runAsNonRoot: false, runAsUser: 0 } }, { name: 'e', securityContext: { runAsUser: 1000 } }])),
      'runAsNonRoot != true (containers "c", "d" must not set securityContext.runAsNonRoot=false), runAsUser=0 (containers "c", "d" must not set runAsUser=0)',
    );
    assert.equal(
      restricted(compliant([{ name: 'a', securityContext: { runAsNonRoot: true } }, { name: 'b' }], { securityContext: { seccompProfile: { type: 'RuntimeDefault' }, runAsNonRoot: undefined } })),
      'runAsNonRoot != true (pod or container "b" must set securityContext.runAsNonRoot=true)',
    );
    assert.equal(
      restricted(compliant([{ name: 'c', securityContext: { seccompProfile: { type: 'Unconfined' } } }, { name: 'd', securityContext: { seccompProfile: { type: 'Unconfined' } } }])),
      'seccompProfile (containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined")',
    );
    assert.equal(
      restricted(compliant([{ name: 'a' }], { volumes: [{ name: 'ok', configMap: {} }, { name: 'b1', nfs: {} }, { name: 'b2', hostPath: {} }, { name: 'b3', gitRepo: {} }, { name: 'c1', somethingNew: {} }, { name: 'p', projected: {} }] })),
      'restricted volume types (volumes "b1", "b2", "b3", "c1" use restricted volume types "gitRepo", "hostPath", "nfs", "unknown")',
    );
  });

  it('replaces the overridden baseline checks and keeps the others, baseline findings first', () => {
    const r = evaluatePod('restricted', {}, {
      securityContext: { seccompProfile: { type: 'Unconfined' } },
      hostPID: true,
      volumes: [{ name: 'v', hostPath: {} }],
      containers: [{ name: 'c', securityContext: { capabilities: { add: ['NET_RAW'] } } }],
    });
    assert.equal(r?.reasons, 'host namespaces, allowPrivilegeEscalation != false, unrestricted capabilities, restricted volume types, runAsNonRoot != true, seccompProfile');
    assert.equal(
      r?.details,
      'host namespaces (hostPID=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]; container "c" must not include "NET_RAW" in securityContext.capabilities.add), ' +
        'restricted volume types (volume "v" uses restricted volume type "hostPath"), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")',
    );
  });

  it('admits a compliant pod, and skips the Linux-only checks for Windows pods', () => {
    assert.equal(restricted(compliant([{ name: 'a', securityContext: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } }], { volumes: [{ name: 's', secret: {} }] })), undefined);
    assert.equal(restricted({ os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'w' }] }), undefined);
    assert.equal(evaluatePod('privileged', {}, { hostPID: true, containers: [{ name: 'c', securityContext: { privileged: true } }] }), undefined);
  });
});

describe('PodSecurity namespace labels', () => {
  const L = 'pod-security.kubernetes.io/';
  it('defaults every mode to privileged:latest', () => {
    const p = { level: 'privileged', version: 'latest' };
    assert.deepEqual(policyToEvaluate(undefined), { policy: { enforce: p, audit: p, warn: p }, errors: [] });
  });

  it('raises warn to an explicit stricter enforce level unless warn is labelled', () => {
    assert.deepEqual(policyToEvaluate({ [L + 'enforce']: 'baseline', [L + 'enforce-version']: 'v1.30' }).policy.warn, { level: 'baseline', version: 'v1.30' });
    assert.deepEqual(policyToEvaluate({ [L + 'enforce']: 'restricted', [L + 'warn-version']: 'v1.29' }).policy.warn, { level: 'restricted', version: 'v1.29' });
    assert.deepEqual(policyToEvaluate({ [L + 'enforce']: 'restricted', [L + 'warn']: 'baseline' }).policy.warn, { level: 'baseline', version: 'latest' });
  });

  it('fails closed for enforce and open for audit and warn, with upstream\'s field errors', () => {
    const { policy, errors } = policyToEvaluate({ [L + 'enforce']: 'strict', [L + 'audit']: 'x', [L + 'warn']: 'y', [L + 'warn-version']: 'v2.0' });
    assert.deepEqual(policy, { enforce: { level: 'restricted', version: 'latest' }, audit: { level: 'privileged', version: 'latest' }, warn: { level: 'privileged', version: 'latest' } });
    assert.deepEqual(errors, [
      { type: 'Invalid', field: `metadata.labels[${L}enforce]`, value: 'strict', detail: 'must be one of privileged, baseline, restricted' },
      { type: 'Invalid', field: `metadata.labels[${L}audit]`, value: 'x', detail: 'must be one of privileged, baseline, restricted' },
      { type: 'Invalid', field: `metadata.labels[${L}warn]`, value: 'y', detail: 'must be one of privileged, baseline, restricted' },
      { type: 'Invalid', field: `metadata.labels[${L}warn-version]`, value: 'v2.0', detail: 'must be "latest" or "v1.x"' },
    ]);
  });
});

describe('PodSecurity existing pods', () => {
  const pod = (name: string, spec: PodSpec, owner?: string) => ({ metadata: { name, ...(owner ? { ownerReferences: [{ uid: owner, controller: true }] } : {}) }, spec: spec as Record<string, unknown> });
  it('groups the violating pods by reasons, names the first, and sorts', () => {
    const priv = { containers: [{ name: 'c', securityContext: { privileged: true } }] };
    const host = { hostNetwork: true, containers: [{ name: 'c' }] };
    const warnings = existingPodWarnings('ns', { level: 'baseline', version: 'latest' }, [pod('p3', priv), pod('p1', priv), pod('p2', priv), pod('h', host), pod('h2', host), pod('fine', { containers: [{ name: 'c' }] })]);
    assert.deepEqual(warnings, [
      'existing pods in namespace "ns" violate the new PodSecurity enforce level "baseline:latest"',
      'h (and 1 other pod): host namespaces',
      'p1 (and 2 other pods): privileged',
    ]);
    assert.deepEqual(existingPodWarnings('ns', { level: 'restricted', version: 'latest' }, []), []);
  });
});
