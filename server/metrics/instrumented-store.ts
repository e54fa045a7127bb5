// The store as the services see it, with each durable write timed into the store-latency histogram.
import type { Histogram } from 'prom-client';
import type { Store } from '../store/repositories';

type Timed = <T>(operation: string, write: () => Promise<T>) => Promise<T>;

/**
 * A view of `target` whose listed methods are timed. Everything else passes through, methods bound
 * to the object itself (one may use its class's private fields), getters read on it.
 */
function timedMethods<T extends object>(
  target: T,
  methods: Readonly<Record<string, string>>,
  timed: Timed,
): T {
  // Made once per method, not on every read: the services read the store on every request.
  const wrapped = new Map<PropertyKey, { method: unknown; view: unknown }>();
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      const known = wrapped.get(property);
      if (known?.method === value) return known.view;
      const method = value as (...args: unknown[]) => unknown;
      const operation = typeof property === 'string' ? methods[property] : undefined;
      const view =
        operation === undefined
          ? method.bind(object)
          : (...args: unknown[]) => timed(operation, async () => method.apply(object, args));
      wrapped.set(property, { method: value, view });
      return view;
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
  const rest = timedMethods(store, {}, timed);
  return new Proxy(store, {
    get(_object, property) {
      if (property === 'requests') return requests;
      if (property === 'audit') return audit;
      return Reflect.get(rest, property) as unknown;
    },
  });
}
