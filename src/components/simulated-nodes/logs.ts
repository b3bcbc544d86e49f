/**
 * The log lines simulated containers "print" (`started container web`, `container web exited
 * with code 0`, ...), kept in memory per pod and container so a `pods/log` answer can be
 * given from them: the lines of a container's current run, and of its previous run after a
 * restart (`kubectl logs --previous`). A pod's lines go when the pod does.
 */

/** One line and when it was written. */
export interface LogLine {
  time: Date;
  text: string;
}

/** How `read` answers, after `kubectl logs`' options. */
export interface ReadLogOptions {
  /** The previous run's lines rather than the current run's. */
  previous?: boolean;
  /** Each line prefixed with its RFC 3339 time and a space. */
  timestamps?: boolean;
  /** Only the last N lines. */
  tailLines?: number;
  /** Only lines written at or after this time. */
  sinceTime?: Date;
}

interface ContainerLog {
  current: LogLine[];
  previous: LogLine[];
}

/** At most this many lines are kept per container run. */
const MAX_LINES_PER_RUN = 1000;

/** The log lines of every container of the pods of one run of simulated nodes. */
export class ContainerLogs {
  /** By `namespace/pod`, then container name; with the pod's uid so a new pod of the same name starts afresh. */
  private readonly pods = new Map<string, { uid: string; containers: Map<string, ContainerLog> }>();

  /** Appends a line to the container's current run. */
  write(namespace: string, pod: string, uid: string, container: string, text: string, time = new Date()): void {
    const log = this.containerLog(namespace, pod, uid, container);
    log.current.push({ time, text });
    if (log.current.length > MAX_LINES_PER_RUN) log.current.splice(0, log.current.length - MAX_LINES_PER_RUN);
  }

  /** Starts a new run of the container: the current lines become the previous run's. */
  restart(namespace: string, pod: string, uid: string, container: string): void {
    const log = this.containerLog(namespace, pod, uid, container);
    log.previous = log.current;
    log.current = [];
  }

  /** The container's lines, oldest first; undefined when the pod or container has none recorded. */
  lines(namespace: string, pod: string, container: string, options: ReadLogOptions = {}): LogLine[] | undefined {
    const log = this.pods.get(`${namespace}/${pod}`)?.containers.get(container);
    if (!log) return undefined;
    let lines = options.previous ? log.previous : log.current;
    if (options.sinceTime) {
      const since = options.sinceTime.getTime();
      lines = lines.filter((l) => l.time.getTime() >= since);
    }
    if (options.tailLines !== undefined) lines = options.tailLines <= 0 ? [] : lines.slice(-options.tailLines);
    return [...lines];
  }

  /** The container's lines as `kubectl logs` prints them (each ending in a newline); undefined as `lines`. */
  read(namespace: string, pod: string, container: string, options: ReadLogOptions = {}): string | undefined {
    const lines = this.lines(namespace, pod, container, options);
    if (!lines) return undefined;
    return lines.map((l) => `${options.timestamps ? `${l.time.toISOString()} ` : ''}${l.text}\n`).join('');
  }

  /** The container names with lines recorded for the pod. */
  containers(namespace: string, pod: string): string[] {
    return [...(this.pods.get(`${namespace}/${pod}`)?.containers.keys() ?? [])];
  }

  /** Forgets the pod's lines (when it is gone); a uid forgets them only if they are that pod's. */
  forget(namespace: string, pod: string, uid?: string): void {
    const key = `${namespace}/${pod}`;
    if (uid === undefined || this.pods.get(key)?.uid === uid) this.pods.delete(key);
  }

  private containerLog(namespace: string, pod: string, uid: string, container: string): ContainerLog {
    const key = `${namespace}/${pod}`;
    let entry = this.pods.get(key);
    if (!entry || entry.uid !== uid) {
      entry = { uid, containers: new Map() };
      this.pods.set(key, entry);
    }
    let log = entry.containers.get(container);
    if (!log) {
      log = { current: [], previous: [] };
      entry.containers.set(container, log);
    }
    return log;
  }
}
