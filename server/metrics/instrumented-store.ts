// The store as the services see it, with each durable write timed into the store-latency histogram.
import type { Histogram } from 'prom-client';
import type { Store } from '../store/repositories';

type Timed = <T>(operation: string, write: () => Promise<T>) => Promise<T>;

/** A view of `target` whose listed methods are timed; everything else (getters too) passes through. */
function timedMethods<T extends object>(
  target: T,
  methods: Record<string, string>,
  timed: Timed,
): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      const operation = typeof property === 'string' ? methods[property] : undefined;
      if (operation === undefined || typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        timed(operation, () =>
          (value as (...a: unknown[]) => Promise<unknown>).apply(object, args),
        );
    },
  });
}

export function instrumentStore(store: Store, writes: Histogram<'operation'>): Store {
  const timed: Timed = async (operation, write) => {
    const stop = writes.startTimer({ operation });
    try {
      return await write();
    } finally {
      stop();
    }
  };
  const requests = timedMethods(
    store.requests,
    { change: 'request-change', commit: 'request-commit' },
    timed,
  );
  const audit = timedMethods(store.audit, { record: 'audit-record' }, timed);
  return new Proxy(store, {
    get(object, property) {
      if (property === 'requests') return requests;
      if (property === 'audit') return audit;
      return Reflect.get(object, property, object);
    },
  });
}
