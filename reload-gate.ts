/**
 * Runs a reload one at a time, for holders that swap what they serve when told it changed (the
 * live directory, the live index). Concurrent calls share the run under way, and a call during a
 * run causes one more run after it: the change it announces may be newer than what the run read.
 */
export class ReloadGate {
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(private readonly once: () => Promise<void>) {}

  /** Whether a run is under way (a poll can skip: the run reads the newest state anyway). */
  get busy(): boolean {
    return this.#running !== undefined;
  }

  run(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.once();
      } while (this.#again && !this.#closed);
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** No new run starts; resolves when the one under way has ended. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }
}
