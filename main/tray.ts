// The tray icon with the number of pending requests, and the same number on the dock or taskbar.
import { app, Menu, nativeImage, Tray, type BrowserWindow, type NativeImage } from 'electron';
import { iconDataUrl, type IconStyle } from './tray-icon';

const APP_NAME = 'Help Desk OTP';

/** "No pending requests", "1 pending request", "12 pending requests". */
export function pendingSummary(count: number): string {
  if (count === 0) return 'No pending requests';
  return `${count} pending request${count === 1 ? '' : 's'}`;
}

/** A crisp icon at 1× and 2× from the drawing in tray-icon.ts. */
export function icon(style: IconStyle, size = 16): NativeImage {
  const image = nativeImage.createFromDataURL(iconDataUrl(size, style));
  image.addRepresentation({ scaleFactor: 2, dataURL: iconDataUrl(size * 2, style) });
  if (style === 'template') image.setTemplateImage(true);
  return image;
}

export interface PendingIndicator {
  setPendingCount(count: number): void;
  /** Offers "Change server…" in the menu: only while the agent chose the server themselves. */
  offerServerChange(offered: boolean): void;
  destroy(): void;
}

export interface PendingIndicatorOptions {
  /** Brings the console to the front (creating the window if it was closed). */
  showWindow(): void;
  /** The console window, for the Windows taskbar overlay. */
  getWindow(): BrowserWindow | null;
  /** Shows the screen where the agent enters another server's address. */
  changeServer(): void;
  platform?: NodeJS.Platform;
}

/**
 * The tray icon (tooltip, and on macOS a title, with the pending count; a click opens the
 * console) and the badge: the dock's or launcher's count (`app.setBadgeCount`), or on Windows,
 * which has no badge count, a red dot over the taskbar button.
 */
export function createPendingIndicator(options: PendingIndicatorOptions): PendingIndicator {
  const platform = options.platform ?? process.platform;
  const tray = new Tray(icon(platform === 'darwin' ? 'template' : 'color'));
  const overlay = platform === 'win32' ? icon('badge') : null;
  const setMenu = (serverChange: boolean) =>
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: `Open ${APP_NAME}`, click: () => options.showWindow() },
        ...(serverChange ? [{ label: 'Change server…', click: () => options.changeServer() }] : []),
        { type: 'separator' },
        { label: 'Quit', role: 'quit' },
      ]),
    );
  setMenu(false);
  tray.on('click', () => options.showWindow());

  const indicator: PendingIndicator = {
    setPendingCount(count) {
      tray.setToolTip(`${APP_NAME} — ${pendingSummary(count)}`);
      if (platform === 'darwin') tray.setTitle(count > 0 ? String(count) : '');
      app.setBadgeCount(count);
      const window = options.getWindow();
      if (overlay && window && !window.isDestroyed()) {
        window.setOverlayIcon(count > 0 ? overlay : null, count > 0 ? pendingSummary(count) : '');
      }
    },
    offerServerChange(offered) {
      setMenu(offered);
    },
    destroy() {
      tray.destroy();
    },
  };
  indicator.setPendingCount(0);
  return indicator;
}
