// The one IPC gateway: every ipcMain handler is registered here, and each call is answered only
// for the top frame of a window the app created, showing the console, with zod-parsed arguments
// (and a change of server only for the app's own packaged page, never a page the server sent).
import { ipcMain, net, type IpcMainInvokeEvent } from 'electron';
import { z } from 'zod';
import type { AppOrigin } from './app-origin';
import { IpcChannel } from './ipc-channels';
import { ServerUrlSchema } from './server-url';
import type { SessionTokenStore } from './session-token';
import type { ServerSetting, ServerUrlSource } from './settings';

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

/** What the console may know of its server setting (see main/settings.ts). */
export interface ServerSettingView {
  serverUrl: string | null;
  source: ServerUrlSource | null;
}

/** The answer to the first-run screen's choice of server. */
export type ChooseServerResult =
  | { ok: true; serverUrl: string }
  | {
      ok: false;
      /**
       * `fixed`: the organisation (or HELPDESK_SERVER_URL) set the server, the agent may not change
       * it; `unreachable`: nothing answered at /healthz; `not-help-desk`: something else answered.
       */
      reason: 'fixed' | 'unreachable' | 'not-help-desk';
      detail: string;
    };

/**
 * The server's PRODUCT_NAME (server/contract/health.ts), which main may not import: a `/healthz`
 * answer naming it tells a Help Desk OTP server from anything else at the address.
 */
const HelpDeskHealthSchema = z.looseObject({ product: z.literal('Help Desk OTP') });

export interface IpcDeps {
  /** `webContents.id` of every window the app created; the caller keeps it up to date. */
  appWebContents: ReadonlySet<number>;
  origin: AppOrigin;
  /** The server in use and where its address came from; null until the agent chooses one. */
  server: ServerSetting;
  appVersion: string;
  sessionTokens: SessionTokenStore;
  desktop: DesktopShell;
  /** Saves the server the agent chose (throws when it cannot) and opens the console on it. */
  useServer(serverUrl: string): void;
  fetchServerStatus?: (serverUrl: string) => Promise<unknown>;
}

const NoArguments = z.tuple([]);

const HEALTH_TIMEOUT_MS = 5000;

/** Registers every handler; returns a function that removes them (to register them anew). */
export function registerIpcHandlers(deps: IpcDeps): () => void {
  const fetchStatus = deps.fetchServerStatus ?? fetchServerStatus;
  const { server } = deps;

  const handle = <Args extends z.ZodType>(
    channel: IpcChannel,
    argsSchema: Args,
    handler: (args: z.output<Args>) => unknown,
    { packagedOnly = false } = {},
  ) => {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      if (!isAppSender(event, deps)) throw new Error('forbidden');
      if (packagedOnly && !deps.origin.isPackagedUrl(event.senderFrame?.url ?? '')) {
        throw new Error('forbidden');
      }
      const parsed = argsSchema.safeParse(args);
      if (!parsed.success) {
        throw new Error(`Invalid arguments for ${channel}: ${z.prettifyError(parsed.error)}`);
      }
      return handler(parsed.data);
    });
  };

  // Empty before a server is chosen (the console's host type wants a string; see get-setting).
  handle(IpcChannel.ServerGetUrl, NoArguments, () => server?.serverUrl ?? '');
  handle(IpcChannel.ServerGetStatus, NoArguments, () =>
    server ? fetchStatus(server.serverUrl) : Promise.reject(new Error('No server is set yet')),
  );
  handle(IpcChannel.ServerGetSetting, NoArguments, (): ServerSettingView => ({
    serverUrl: server?.serverUrl ?? null,
    source: server?.source ?? null,
  }));
  handle(
    IpcChannel.ServerChoose,
    z.tuple([ServerUrlSchema]),
    async ([serverUrl]): Promise<ChooseServerResult> => {
      if (server && server.source !== 'saved') {
        // The organisation's choice, or this launch's HELPDESK_SERVER_URL: not the agent's.
        return { ok: false, reason: 'fixed', detail: server.source };
      }
      let answer: unknown;
      try {
        answer = await fetchStatus(serverUrl);
      } catch (error) {
        const { message } = error as Error;
        return error instanceof ServerAnswerError
          ? { ok: false, reason: 'not-help-desk', detail: message }
          : { ok: false, reason: 'unreachable', detail: message };
      }
      if (!HelpDeskHealthSchema.safeParse(answer).success) {
        return { ok: false, reason: 'not-help-desk', detail: `${serverUrl}/healthz` };
      }
      deps.useServer(serverUrl);
      return { ok: true, serverUrl };
    },
    // A page the server sent may not move the app to another server.
    { packagedOnly: true },
  );
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

  return () => {
    for (const channel of Object.values(IpcChannel)) ipcMain.removeHandler(channel);
  };
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

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Chromium's network stack, as the console's window has it: the OS's proxy settings and trusted
 * certificates (an organisation's own CA among them), which Node's fetch does not read.
 */
const chromiumFetch: Fetch = (url, init) => net.fetch(url, init);

/** The server's `/healthz` answer, as JSON; rejects when the server cannot be reached. */
export async function fetchServerStatus(
  serverUrl: string,
  fetchUrl: Fetch = chromiumFetch,
): Promise<unknown> {
  const url = `${serverUrl}/healthz`;
  const response = await fetchUrl(url, {
    headers: { accept: 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
  });
  if (!response.ok) throw new ServerAnswerError(`${url} answered ${response.status}`);
  let answer: unknown;
  try {
    answer = await response.json();
  } catch {
    throw new ServerAnswerError(`${url} did not answer with JSON`);
  }
  const status = z.record(z.string(), z.unknown()).safeParse(answer);
  if (!status.success) throw new ServerAnswerError(`${url} did not answer with a JSON object`);
  return status.data;
}

/** Something answered at the address, but not with a health report: not unreachable. */
export class ServerAnswerError extends Error {
  override name = 'ServerAnswerError';
}
