/**
 * The store's current revision for consistent reads, read once for many callers. Every caller
 * gets the answer of a read that started after it asked (so a write acknowledged before the
 * call is at or below it: the read stays linearizable); callers arriving together share one
 * read, and up to `maxInFlight` reads overlap, so a busy server asks the store at most a few
 * times per round trip instead of once per request.
 */
export class SharedRevisionReads {
  private inFlight = 0;
  /** Callers waiting for a read that has not started yet: they all take the next one. */
  private next: { resolve: (revision: number) => void; reject: (err: unknown) => void }[] = [];

  constructor(
    private readonly read: () => Promise<number>,
    private readonly maxInFlight = 4,
  ) {}

  /** How many reads are outstanding. */
  get pending(): number {
    return this.inFlight;
  }

  /** The store's revision as a read started after this call sees it. */
  current(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.next.push({ resolve, reject });
      this.start();
    });
  }

  private start(): void {
    if (this.next.length === 0 || this.inFlight >= this.maxInFlight) return;
    const callers = this.next;
    this.next = [];
    this.inFlight++;
    let read: Promise<number>;
    try {
      read = this.read();
    } catch (err) {
      read = Promise.reject(err);
    }
    read.then(
      (revision) => {
        for (const c of callers) c.resolve(revision);
      },
      (err: unknown) => {
        for (const c of callers) c.reject(err);
      },
    ).finally(() => {
      this.inFlight--;
      this.start();
    });
  }
}
