// The one IPC gateway: every ipcMain handler is registered here, and each call is answered only
// for the top frame of a window the app created, showing the console, with zod-parsed arguments.
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { z } from 'zod';
import type { AppOrigin } from './app-origin';
import { IpcChannel } from './ipc-channels';
import type { SessionTokenStore } from './session-token';

/** A desktop notification the console asks for; clicking it opens `requestId`. */
export const DesktopNoticeSchema = z
  .object({
    title: z.string().trim().min(1, 'A notification needs a title').max(120),
    body: z.string().max(500),
    /** The server's request ids are 128-bit base64url strings. */
    requestId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,64}$/, 'Not a request id')
      .optional(),
  })
  .strict();
export type DesktopNotice = z.infer<typeof DesktopNoticeSchema>;

/** The server's bearer tokens (see the server's `bearerToken`). */
const SessionTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{20,200}$/, 'Not a session token');

const PendingCountSchema = z.number().int().min(0).max(1_000_000);

/** What the desktop shows for the console: notifications, and the pending count on tray and badge. */
export interface DesktopShell {
  notify(notice: DesktopNotice): void;
  setPendingCount(count: number): void;
}

export interface IpcDeps {
  /** `webContents.id` of every window the app created; the caller keeps it up to date. */
  appWebContents: ReadonlySet<number>;
  origin: AppOrigin;
  serverUrl: string;
  appVersion: string;
  sessionTokens: SessionTokenStore;
  desktop: DesktopShell;
  fetchServerStatus?: (serverUrl: string) => Promise<unknown>;
}

const NoArguments = z.tuple([]);

const HEALTH_TIMEOUT_MS = 5000;

export function registerIpcHandlers(deps: IpcDeps): void {
  const fetchStatus = deps.fetchServerStatus ?? fetchServerStatus;

  const handle = <Args extends z.ZodType>(
    channel: IpcChannel,
    argsSchema: Args,
    handler: (args: z.output<Args>) => unknown,
  ) => {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      if (!isAppSender(event, deps)) throw new Error('forbidden');
      const parsed = argsSchema.safeParse(args);
      if (!parsed.success) {
        throw new Error(`Invalid arguments for ${channel}: ${z.prettifyError(parsed.error)}`);
      }
      return handler(parsed.data);
    });
  };

  handle(IpcChannel.ServerGetUrl, NoArguments, () => deps.serverUrl);
  handle(IpcChannel.ServerGetStatus, NoArguments, () => fetchStatus(deps.serverUrl));
  handle(IpcChannel.AppGetVersion, NoArguments, () => deps.appVersion);
  handle(IpcChannel.SessionSaveToken, z.tuple([SessionTokenSchema.nullable()]), ([token]) =>
    deps.sessionTokens.save(token),
  );
  handle(IpcChannel.SessionLoadToken, NoArguments, () => deps.sessionTokens.load());
  handle(IpcChannel.DesktopNotify, z.tuple([DesktopNoticeSchema]), ([notice]) => {
    deps.desktop.notify(notice);
  });
  handle(IpcChannel.DesktopSetPendingCount, z.tuple([PendingCountSchema]), ([count]) => {
    deps.desktop.setPendingCount(count);
  });
}

/** The top frame of one of the app's windows, showing the console (not another server page). */
function isAppSender(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  deps: Pick<IpcDeps, 'appWebContents' | 'origin'>,
): boolean {
  const frame = event.senderFrame;
  return (
    deps.appWebContents.has(event.sender.id) &&
    frame !== null &&
    frame.parent === null &&
    deps.origin.isConsoleUrl(frame.url)
  );
}

/** The server's `/healthz` answer, as JSON; rejects when the server cannot be reached. */
export async function fetchServerStatus(serverUrl: string): Promise<unknown> {
  const response = await fetch(`${serverUrl}/healthz`, {
    headers: { accept: 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`${serverUrl}/healthz answered ${response.status}`);
  return z.record(z.string(), z.unknown()).parse(await response.json());
}
