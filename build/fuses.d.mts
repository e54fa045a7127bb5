// Types of fuses.mjs, for the TypeScript tests.
import type { FuseV1Options } from '@electron/fuses';

/** The part of electron-builder's AfterPackContext the hook reads. */
export interface PackedApp {
  appOutDir: string;
  electronPlatformName: string;
  packager: { appInfo: { productFilename: string }; executableName?: string };
}

export declare const FUSES: Readonly<Partial<Record<FuseV1Options, boolean>>>;

export declare function electronBinaryPath(context: PackedApp): string;

export default function afterPack(context: PackedApp): Promise<void>;
