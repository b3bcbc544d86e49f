/**
 * The annotations through which an autoscaling/v1 HorizontalPodAutoscaler keeps
 * what only autoscaling/v2 (the hub and storage version) can hold. The first six
 * are upstream's (pkg/apis/autoscaling/annotations.go) and hold upstream's JSON
 * forms; the last is Wheelhouse's own.
 */

/** v2 `spec.metrics` other than CPU utilization, as autoscaling/v1 MetricSpec JSON. */
export const METRIC_SPECS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
/** v2 `status.currentMetrics`, as autoscaling/v1 MetricStatus JSON. */
export const METRIC_STATUSES_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
/** v2 `status.conditions`, as autoscaling/v1 HorizontalPodAutoscalerCondition JSON. */
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
/**
 * v2 `spec.behavior`, as upstream writes it: its internal Go type marshalled
 * without json tags, so the keys are Go field names (`ScaleUp`, `Policies`, ...).
 */
export const BEHAVIOR_SPECS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
/** Upstream's autoscaling/v2beta2 tolerance annotations: never written here, dropped like the others. */
export const TOLERANCE_SCALE_DOWN_ANNOTATION = 'autoscaling.alpha.kubernetes.io/scale-down-tolerance';
export const TOLERANCE_SCALE_UP_ANNOTATION = 'autoscaling.alpha.kubernetes.io/scale-up-tolerance';

/**
 * Wheelhouse's exact copy of the v2 fields whose upstream v1 form loses
 * something (metric target types a v1 source cannot name, the order of a CPU
 * metric among others, unset quantities that come back as "0", ...): a JSON
 * object with any of `metrics`, `currentMetrics`, `behavior`, `conditions`
 * (null: the field was absent). On the way back a copy is used only while the
 * v1 object still shows exactly what the copy converts to, so an edit made
 * through v1 always wins over it.
 */
export const V2_FIELDS_ANNOTATION = 'wheelhouse.dev/autoscaling-v2-fields';

/** The annotations that exist only for the round trip: never kept on a v2 object. */
export const ROUND_TRIP_ANNOTATIONS: readonly string[] = [
  METRIC_SPECS_ANNOTATION,
  METRIC_STATUSES_ANNOTATION,
  CONDITIONS_ANNOTATION,
  BEHAVIOR_SPECS_ANNOTATION,
  TOLERANCE_SCALE_DOWN_ANNOTATION,
  TOLERANCE_SCALE_UP_ANNOTATION,
  V2_FIELDS_ANNOTATION,
];

/** autoscaling/v1's implicit target when no metric is given (upstream DefaultCPUUtilization). */
export const DEFAULT_CPU_UTILIZATION = 80;
