// The keyed mutex behind "one open request per user": tasks for one key never overlap, others do.
import { describe, expect, it } from 'vitest';
import { PerKeyQueue } from '../../../../server/store/embedded/per-key-queue';

/** A promise with its resolve and reject in hand. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('PerKeyQueue', () => {
  it('runs the tasks of one key one after another, in the order they were queued', async () => {
    const queue = new PerKeyQueue();
    const log: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const runs = gates.map((gate, i) =>
      queue.run('jsmith', async () => {
        log.push(`start ${i}`);
        await gate.promise;
        log.push(`end ${i}`);
        return i;
      }),
    );
    await settle();
    expect(log).toEqual(['start 0']);
    gates[2]!.resolve();
    gates[1]!.resolve();
    await settle();
    expect(log).toEqual(['start 0']);
    gates[0]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('keeps a check-then-act atomic per key across awaits (the race it exists for)', async () => {
    const queue = new PerKeyQueue();
    const open = new Set<number>();
    const submit = (n: number) =>
      queue.run('jsmith', async () => {
        await settle(); // e.g. a directory look-up
        for (const old of [...open]) {
          await settle(); // e.g. the write that cancels it
          open.delete(old);
        }
        open.add(n);
      });
    await Promise.all(Array.from({ length: 20 }, (_, n) => submit(n)));
    expect([...open]).toEqual([19]);
  });

  it('runs tasks of different keys side by side', async () => {
    const queue = new PerKeyQueue();
    const gate = deferred();
    let otherRan = false;
    const blocked = queue.run('jsmith', () => gate.promise);
    await queue.run('mlee', async () => {
      otherRan = true;
    });
    expect(otherRan).toBe(true);
    gate.resolve();
    await blocked;
  });

  it('passes a failure to its caller and carries on with the next task', async () => {
    const queue = new PerKeyQueue();
    const failing = queue.run('jsmith', async () => {
      throw new Error('directory down');
    });
    const next = queue.run('jsmith', async () => 'ran');
    await expect(failing).rejects.toThrow('directory down');
    await expect(next).resolves.toBe('ran');
  });

  it('also carries on after a task that throws before its first await', async () => {
    const queue = new PerKeyQueue();
    const failing = queue.run('jsmith', () => {
      throw new Error('synchronous');
    });
    await expect(failing).rejects.toThrow('synchronous');
    await expect(queue.run('jsmith', async () => 1)).resolves.toBe(1);
  });

  it('forgets a key once its queue is empty, so it does not grow with every username seen', async () => {
    const queue = new PerKeyQueue();
    const gate = deferred();
    const running = queue.run('jsmith', () => gate.promise);
    const queued = queue.run('jsmith', async () => undefined);
    expect(queue.activeKeys).toBe(1);
    gate.resolve();
    await Promise.all([running, queued]);
    await settle();
    expect(queue.activeKeys).toBe(0);
    await Promise.all(Array.from({ length: 100 }, (_, i) => queue.run(`user${i}`, async () => i)));
    await settle();
    expect(queue.activeKeys).toBe(0);
  });
});
