// The app's identity on the desktop: electron-builder.yml's `appId`, and on Windows the
// AppUserModelID, which must be the same: Windows shows a notification only for an app whose
// Start-menu shortcut (made by the NSIS installer from `appId`) carries that id.
export const APP_ID = 'com.helpdeskotp.console';
