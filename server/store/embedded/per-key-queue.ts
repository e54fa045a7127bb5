// Runs async tasks one at a time per key (a keyed mutex): a check-then-act on one key stays atomic
// whatever the task awaits, while tasks for different keys run side by side.
export class PerKeyQueue {
  /** The last task queued per key; a key is forgotten once its queue runs dry. */
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every task already queued for `key` has settled; resolves as it does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(() => task());
    // A task that fails must not stop the ones after it: the next waits for it to settle, not to succeed.
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** How many keys have a task running or waiting. */
  get activeKeys(): number {
    return this.tails.size;
  }
}
