/**
 * spec.podFailurePolicy (upstream's matchPodFailurePolicy): the first rule matching a failed
 * pod decides — `FailJob` fails the Job at once with a message naming the container's exit
 * code or the pod condition, `Ignore` does not count the failure against backoffLimit,
 * `Count` counts it as usual. A pod no rule matches counts. (`FailIndex` needs
 * backoffLimitPerIndex, which this controller does not implement; it counts.)
 */
import type { PodFailurePolicy, PodFailurePolicyOnExitCodesRequirement } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import type { ContainerStatus, Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';

export interface PolicyMatch {
  /** Set when a FailJob rule matched: the Job's failure message. */
  failJobMessage?: string;
  /** Whether the failure counts against backoffLimit. */
  countFailed: boolean;
  action?: string;
}

function matchingContainer(req: PodFailurePolicyOnExitCodesRequirement, statuses: readonly ContainerStatus[]): ContainerStatus | undefined {
  return statuses.find((s) => {
    if (req.containerName !== undefined && req.containerName !== s.name) return false;
    const code = s.state?.terminated?.exitCode;
    if (code === undefined || code === 0) return false;
    const listed = (req.values ?? []).includes(code);
    return req.operator === 'NotIn' ? !listed : req.operator === 'In' && listed;
  });
}

/** What the policy says about the failed `pod`. */
export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: Pod): PolicyMatch {
  if (!policy) return { countFailed: true };
  const ns = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  for (const [index, rule] of (policy.rules ?? []).entries()) {
    const action = rule.action ?? '';
    let message: string | undefined;
    if (rule.onExitCodes) {
      const c =
        matchingContainer(rule.onExitCodes, pod.status?.containerStatuses ?? []) ??
        matchingContainer(rule.onExitCodes, pod.status?.initContainerStatuses ?? []);
      if (c) message = `Container ${c.name ?? ''} for pod ${ns}/${name} failed with exit code ${c.state?.terminated?.exitCode ?? 0} matching ${action} rule at index ${index}`;
    } else if ((rule.onPodConditions ?? []).length > 0) {
      for (const pattern of rule.onPodConditions) {
        const cond = (pod.status?.conditions ?? []).find((pc) => pc.type === pattern.type && pc.status === (pattern.status ?? 'True'));
        if (cond) {
          message = `Pod ${ns}/${name} has condition ${cond.type ?? ''} matching ${action} rule at index ${index}`;
          break;
        }
      }
    }
    if (message === undefined) continue;
    if (action === 'FailJob') return { failJobMessage: message, countFailed: true, action };
    if (action === 'Ignore') return { countFailed: false, action };
    return { countFailed: true, action };
  }
  return { countFailed: true };
}

/** The failure message of the first failed pod a FailJob rule matches, if any. */
export function failJobMessage(policy: PodFailurePolicy | undefined, failedPods: readonly Pod[]): string | undefined {
  if (!policy) return undefined;
  for (const p of failedPods) {
    const m = matchPodFailurePolicy(policy, p).failJobMessage;
    if (m !== undefined) return m;
  }
  return undefined;
}
