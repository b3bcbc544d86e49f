/** Which Services' keys a pod change concerns: those in its namespace whose selector matches its labels (before or after). */
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import type { Service } from '../../../../gen/k8s/io/api/core/v1/service.js';
import { keyOf, type Lister } from '../../../client/index.js';
import { selectorMatches } from './pod-endpoints.js';

export function serviceKeysFor(services: Lister<Service>, ...pods: Pod[]): Set<string> {
  const keys = new Set<string>();
  for (const pod of pods) {
    for (const svc of services.list(undefined, pod.metadata?.namespace ?? '')) {
      if (selectorMatches(svc.spec?.selector, pod.metadata?.labels)) keys.add(keyOf(svc));
    }
  }
  return keys;
}
