// electron-builder's afterPack hook: flips Electron's fuses in the packaged binary, before it is
// signed, so the installed app cannot be turned into a general-purpose Node or debugged into.
import { join } from 'node:path';
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';

/** The fuses, by name: what each one shuts (see Electron's "Fuses" guide). */
export const FUSES = {
  // ELECTRON_RUN_AS_NODE would make the signed app a Node interpreter for any script.
  [FuseV1Options.RunAsNode]: false,
  // Cookies on disk encrypted with a key from the OS keychain.
  [FuseV1Options.EnableCookieEncryption]: true,
  // NODE_OPTIONS and --inspect would let anyone who can start the app inject code into it.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // app.asar must match the hash electron-builder embeds in the executable (macOS, Windows).
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  // ...and only app.asar is loaded, so an app/ folder beside it cannot replace it.
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // file: pages get no more than other pages (the packaged renderer needs nothing extra).
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

/** The packaged executable (the .app bundle on macOS), named as electron-builder names it. */
export function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    case 'linux':
      return join(appOutDir, packager.executableName);
    default:
      throw new Error(`No fuses for the platform "${electronPlatformName}"`);
  }
}

export default async function afterPack(context) {
  const macOS = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas';
  await flipFuses(electronBinaryPath(context), {
    version: FuseVersion.V1,
    // Flipping a fuse breaks the ad-hoc signature Apple silicon needs to run an unsigned build;
    // re-sign it ad hoc (a real identity signs the app after this hook anyway).
    resetAdHocDarwinSignature: macOS,
    ...FUSES,
  });
}
