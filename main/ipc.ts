// The one IPC gateway: every ipcMain handler is registered here, and each call is answered only
// for a frame of a window the app created, showing the app's own content, with zod-parsed arguments.
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { z } from 'zod';
import type { AppOrigin } from './app-origin';
import { IpcChannel } from './ipc-channels';

export interface IpcDeps {
  /** `webContents.id` of every window the app created; the caller keeps it up to date. */
  appWebContents: ReadonlySet<number>;
  origin: AppOrigin;
  serverUrl: string;
  appVersion: string;
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
}

/** The top frame of one of the app's windows, showing the app's own content. */
export function isAppSender(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  deps: Pick<IpcDeps, 'appWebContents' | 'origin'>,
): boolean {
  const frame = event.senderFrame;
  return (
    deps.appWebContents.has(event.sender.id) &&
    frame !== null &&
    frame.parent === null &&
    deps.origin.isAppUrl(frame.url)
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
