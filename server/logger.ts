// A small leveled logger; it never receives passcodes, secrets or tokens, only what is safe to print.
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export function consoleLogger(): Logger {
  const stamp = () => new Date().toISOString();
  return {
    info: (m) => console.log(`${stamp()} ${m}`),
    warn: (m) => console.warn(`${stamp()} warn ${m}`),
    error: (m, e) =>
      console.error(`${stamp()} error ${m}`, e instanceof Error ? e.stack : (e ?? '')),
  };
}

export function silentLogger(): Logger {
  return { info: () => {}, warn: () => {}, error: () => {} };
}
