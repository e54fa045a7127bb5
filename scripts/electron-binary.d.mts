// Types of electron-binary.mjs, for the TypeScript tests.
export declare const BUILD_OUTPUTS: readonly string[];

export interface BinaryIo {
  exists?: (path: string) => boolean;
  readText?: (path: string) => string;
  env?: Record<string, string | undefined>;
}

export type BinaryLookup = { found: true; path: string } | { found: false };

export declare function findElectronBinary(electronDir: string | null, io?: BinaryIo): BinaryLookup;

export declare function needsBuild(rootDir: string, exists?: (path: string) => boolean): boolean;

export declare function missingBinaryOutcome(options: {
  optional: boolean;
  serverUrl: string;
  reason?: string | undefined;
}): { exitCode: 0 | 1; message: string };
