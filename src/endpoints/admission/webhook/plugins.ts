/**
 * The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins over the live webhook
 * configurations. Configurations are taken in name order, webhooks in their order. Mutating
 * webhooks run one after another, each seeing the previous one's output; when one changes the
 * object, the `reinvocationPolicy: IfNeeded` webhooks called before it are called once more
 * after the first round (upstream's reinvocation, which this plugin, being the last mutating
 * one, runs itself). Validating webhooks run in parallel; the first refusal in webhook order
 * is the answer. Admission configuration kinds are never sent to webhooks.
 */
import type { MutatingWebhook, MutatingWebhookConfiguration, ValidatingWebhook, ValidatingWebhookConfiguration } from '../../../../gen/kube/admissionregistration-v1.js';
import type { KubeObject } from '../../../machinery/meta/object.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../../registry/rest/admission.js';
import { callMutatingWebhook, callValidatingWebhook, shouldCallWebhook, type WebhookDependencies, type WebhookEntry } from './dispatch.js';
import { viewsReady, type LiveObjects } from './live-objects.js';
import { forbidden } from '../../../machinery/errors/index.js';
import { isExemptAdmissionConfiguration } from './rules.js';

type Configuration = ValidatingWebhookConfiguration | MutatingWebhookConfiguration;

/** The webhooks of the configurations, flattened in upstream's order, recomputed on change only. */
function webhookEntries<W extends ValidatingWebhook | MutatingWebhook>(source: LiveObjects<Configuration>): () => WebhookEntry<W>[] {
  let seen = -1;
  let entries: WebhookEntry<W>[] = [];
  return () => {
    if (source.generation !== seen) {
      seen = source.generation;
      entries = source.items().flatMap((cfg) => {
        const configuration = cfg.metadata?.name ?? '';
        return ((cfg.webhooks ?? []) as W[]).map((hook, i) => ({ uid: `${configuration}/${i}`, configuration, hook }));
      });
    }
    return entries;
  };
}

/** upstream's refusal while the configurations are not loaded yet (admission.NewForbidden). */
export function notReady(a: AdmissionAttributes): Error {
  const meta = (a.object ?? a.oldObject)?.metadata;
  return forbidden({ group: a.group, resource: a.resource }, a.name || meta?.name || meta?.generateName || 'Unknown', 'not yet ready to handle request');
}

/** upstream's MutatingAdmissionWebhook. */
export function mutatingWebhookPlugin(source: LiveObjects<MutatingWebhookConfiguration>, deps: WebhookDependencies): AdmissionPlugin {
  const entries = webhookEntries<MutatingWebhook>(source);
  return {
    name: 'MutatingAdmissionWebhook',
    async mutate(a: AdmissionAttributes): Promise<KubeObject | void> {
      if (isExemptAdmissionConfiguration(a.kind)) return;
      if (!(await viewsReady([source]))) throw notReady(a);
      const hooks = entries();
      if (hooks.length === 0) return;
      let object = a.object;
      const invokedReinvocable: string[] = [];
      let reinvoke = new Set<string>();
      for (const entry of hooks) {
        const current = { ...a, object };
        const versioned = await shouldCallWebhook(entry, current, deps);
        if (!versioned) continue;
        const out = await callMutatingWebhook(entry, current, versioned, deps);
        if (out.changed) {
          object = out.object;
          reinvoke = new Set(invokedReinvocable);
        }
        if (entry.hook.reinvocationPolicy === 'IfNeeded') invokedReinvocable.push(entry.uid);
      }
      if (reinvoke.size > 0) {
        for (const entry of hooks) {
          if (!reinvoke.has(entry.uid)) continue;
          const current = { ...a, object };
          const versioned = await shouldCallWebhook(entry, current, deps);
          if (!versioned) continue;
          const out = await callMutatingWebhook(entry, current, versioned, deps);
          if (out.changed) object = out.object;
        }
      }
      return object === a.object ? undefined : object;
    },
  };
}

/** upstream's ValidatingAdmissionWebhook. */
export function validatingWebhookPlugin(source: LiveObjects<ValidatingWebhookConfiguration>, deps: WebhookDependencies): AdmissionPlugin {
  const entries = webhookEntries<ValidatingWebhook>(source);
  return {
    name: 'ValidatingAdmissionWebhook',
    async validate(a: AdmissionAttributes): Promise<void> {
      if (isExemptAdmissionConfiguration(a.kind)) return;
      if (!(await viewsReady([source]))) throw notReady(a);
      const hooks = entries();
      if (hooks.length === 0) return;
      const calls: Promise<void>[] = [];
      for (const entry of hooks) {
        const versioned = await shouldCallWebhook(entry, a, deps);
        if (versioned) calls.push(callValidatingWebhook(entry, a, versioned, deps));
      }
      const results = await Promise.allSettled(calls);
      const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (refused) throw refused.reason;
    },
  };
}
