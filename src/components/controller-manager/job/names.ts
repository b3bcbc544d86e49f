/** Labels, annotations, finalizers and limits of the Job controller, spelled as upstream. */

/** Keeps a finished pod around until the Job controller has counted it. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** Annotation (and label) carrying an Indexed Job pod's completion index. */
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
/** The environment variable an Indexed Job's containers read their index from. */
export const JOB_COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** `spec.managedBy` value that this controller answers to (or unset). */
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

/** Condition types. */
export const JOB_COMPLETE = 'Complete';
export const JOB_FAILED = 'Failed';
export const JOB_SUSPENDED = 'Suspended';
export const JOB_FAILURE_TARGET = 'FailureTarget';
export const JOB_SUCCESS_CRITERIA_MET = 'SuccessCriteriaMet';

/** Failure reasons and messages. */
export const REASON_BACKOFF_LIMIT_EXCEEDED = 'BackoffLimitExceeded';
export const MESSAGE_BACKOFF_LIMIT_EXCEEDED = 'Job has reached the specified backoff limit';
export const REASON_DEADLINE_EXCEEDED = 'DeadlineExceeded';
export const MESSAGE_DEADLINE_EXCEEDED = 'Job was active longer than specified deadline';

/** Pod failure back-off: 10 s doubling per failure, at most 6 minutes (upstream defaults). */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 6 * 60_000;
/** At most this many pod creations or deletions per sync. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
/** At most this many uids in status.uncountedTerminatedPods at once. */
export const MAX_UNCOUNTED_PODS = 500;
/** Pod creations start in batches of this size and double after each fully successful batch. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;
