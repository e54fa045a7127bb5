// Types of server-address.mjs, for the TypeScript tests.
export declare const DEFAULT_HOST: string;
export declare const DEFAULT_PORT: number;

export declare function serverAddress(
  args: readonly string[],
  env: Record<string, string | undefined>,
): { host: string; port: number; url: string };
