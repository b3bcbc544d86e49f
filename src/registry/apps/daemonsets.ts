/**
 * apps/v1 DaemonSet: defaults as upstream (RollingUpdate with maxUnavailable 1 and maxSurge 0,
 * history of 10, pod template defaults), a selector that must match the template's labels and
 * never changes, and the template generation upstream keeps in the
 * `deprecated.daemonset.template.generation` annotation (1 on create, bumped when the
 * template changes). `/status`.
 */
import type { DaemonSet } from '../../../gen/kube/apps-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, forbidden, intOrStringValue, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { validateLabelSelector } from '../../machinery/validation/label-selector.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { child, num, setDefault } from '../core/fields.js';
import { defaultPodTemplate, validatePodTemplate } from '../core/pod-spec.js';
import { isEmptySelector, selectorColumn, selectorMatchesTemplate, selectorValue, templateContainerColumns, templateLabelsValue, validateNonNegative } from '../core/workload.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { validateSelectorUnchanged, validateStatusCounts } from './replicated.js';

const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';
const PERCENT_RE = /^[0-9]+%$/;

/** Decode-time defaults (apps/v1 SetDefaults_DaemonSet plus pod template defaults). */
function defaultDaemonSet(obj: DaemonSet): void {
  const spec = child(obj, 'spec');
  const strategy = child(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rolling = child(strategy, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', 1);
    setDefault(rolling, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(child(spec, 'template'));
}

function templateGeneration(obj: DaemonSet): number {
  const value = Number.parseInt(obj.metadata?.annotations?.[TEMPLATE_GENERATION] ?? '', 10);
  return Number.isFinite(value) ? value : 0;
}

function setTemplateGeneration(obj: DaemonSet, value: number): void {
  const meta = child(obj, 'metadata');
  meta.annotations = { ...meta.annotations, [TEMPLATE_GENERATION]: String(value) };
}

function intOrPercent(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && PERCENT_RE.test(value)) return Number(value.slice(0, -1));
  return undefined;
}

function validateIntOrPercent(value: unknown, path: string): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    if (PERCENT_RE.test(value)) return [];
    return [
      invalidValue(
        path,
        intOrStringValue(value),
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      ),
    ];
  }
  return validateNonNegative(value, path);
}

function validateDaemonSet(obj: DaemonSet): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  const { selector, template } = spec;
  if (selector) errs.push(...validateLabelSelector(selector, 'spec.selector'));
  // A missing selector selects nothing, so it never matches the template.
  if (!selector || !selectorMatchesTemplate(selector, template)) {
    errs.push(invalidValue('spec.template.metadata.labels', templateLabelsValue(template), '`selector` does not match template `labels`'));
  }
  if (selector && isEmptySelector(selector)) errs.push(invalidValue('spec.selector', selectorValue(selector), 'empty selector is invalid for daemonset'));
  errs.push(...validatePodTemplate(template, 'spec.template'));
  const podSpec = template?.spec ?? {};
  if (podSpec.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const strategy = spec.updateStrategy ?? {};
  switch (strategy.type) {
    case 'OnDelete':
      break;
    case 'RollingUpdate': {
      const rolling = strategy.rollingUpdate;
      if (!rolling) {
        errs.push(required('spec.updateStrategy.rollingUpdate', ''));
        break;
      }
      errs.push(...validateIntOrPercent(rolling.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
      errs.push(...validateIntOrPercent(rolling.maxSurge, 'spec.updateStrategy.rollingUpdate.maxSurge'));
      if (intOrPercent(rolling.maxUnavailable) === 0 && intOrPercent(rolling.maxSurge) === 0) {
        errs.push(invalidValue('spec.updateStrategy.rollingUpdate.maxUnavailable', intOrStringValue(rolling.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      }
      break;
    }
    default:
      errs.push(notSupported('spec.updateStrategy', strategy, ['OnDelete', 'RollingUpdate']));
  }
  errs.push(...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

const STATUS_COUNTS = [
  'currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration',
  'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount',
] as const;

const count = (obj: DaemonSet, field: (typeof STATUS_COUNTS)[number]): number => num(obj.status?.[field]) ?? 0;

/** The DaemonSet resource. */
export const daemonSets: ResourceDefinition<DaemonSet> = {
  ...declared('apps', 'daemonsets', { v1: { defaults: (obj) => defaultDaemonSet(obj as DaemonSet) } }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate(obj) {
      defaultDaemonSet(obj);
      obj.status = {};
      if (templateGeneration(obj) < 1) setTemplateGeneration(obj, 1);
    },
    prepareForUpdate(obj, old) {
      defaultDaemonSet(obj);
      const changed = !jsonEqual(obj.spec?.template, old.spec?.template);
      setTemplateGeneration(obj, templateGeneration(old) + (changed ? 1 : 0));
    },
    validate: validateDaemonSet,
    validateUpdate: (obj, old) => [...validateDaemonSet(obj), ...validateSelectorUnchanged(obj.spec, old.spec)],
  },
  statusStrategy: {
    validateUpdate: (obj) => validateStatusCounts(obj.status, STATUS_COUNTS),
  },
  printerColumns: [
    { name: 'Desired', type: 'integer', description: 'The total number of nodes that should be running the daemon pod.', cell: (obj) => count(obj, 'desiredNumberScheduled') },
    { name: 'Current', type: 'integer', description: 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', cell: (obj) => count(obj, 'currentNumberScheduled') },
    { name: 'Ready', type: 'integer', description: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.', cell: (obj) => count(obj, 'numberReady') },
    { name: 'Up-to-date', type: 'integer', description: 'The total number of nodes that are running updated daemon pod', cell: (obj) => count(obj, 'updatedNumberScheduled') },
    { name: 'Available', type: 'integer', description: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.', cell: (obj) => count(obj, 'numberAvailable') },
    {
      name: 'Node Selector',
      type: 'string',
      description: 'NodeSelector is a selector which must be true for the pod to fit on a node.',
      cell: (obj) => {
        const sel = Object.entries(obj.spec?.template?.spec?.nodeSelector ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return sel.length === 0 ? '<none>' : sel.map(([k, v]) => `${k}=${v}`).join(',');
      },
    },
    ...templateContainerColumns<DaemonSet>(),
    selectorColumn<DaemonSet>('A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template\'s labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', (obj) => obj.spec?.selector),
  ],
};
