// Signing in and out: the token (kept by the host), the session the server confirmed, and why it ended.
import type { HelpDeskId } from '../../../server/contract/realm-config';
import { createAgentPreferences } from '../lib/agent-preferences';
import { ApiError } from '../lib/api';
import { playNewRequestChime } from '../lib/chime';
import { approvalSelectors } from './approval-slice';
import type { AgentLinkHandlers } from '../lib/socket';
import type { SessionSlice } from './session-state';
import { settingsSelectors } from './settings-slice';
import type { ConsoleState, SliceCreator } from './state';
import type { ConsoleRuntime } from './types';
import { messageOf } from './types';

export const SIGNED_OUT_MESSAGE = 'You signed out.';
export const SESSION_GONE_MESSAGE = 'Your session has ended; sign in again.';

/** Everything the other slices loaded under a session, back to empty. */
function clearedData(state: ConsoleState): Partial<ConsoleState> {
  state.closeRequest();
  return {
    requests: new Map(),
    order: [],
    queueStatus: 'idle',
    queueError: null,
    activeId: null,
    serverClockOffset: 0,
    deskFilter: 'all',
    search: '',
    config: null,
    agents: [],
    agentsStatus: 'idle',
    oneTimePassword: null,
    configErrors: {},
    unsavedSections: [],
    directoryStatus: null,
    directoryTest: { step: 'idle' },
    users: [],
    usersTotal: 0,
    usersQuery: '',
    usersOffset: 0,
    usersStatus: 'idle',
    usersError: null,
    userPassword: null,
    userNotice: null,
    importState: { step: 'idle' },
    importPasswords: [],
    mailStatus: null,
    mailTest: { step: 'idle' },
    blocks: [],
    blocksStatus: 'idle',
    blocksError: null,
    alerts: [],
    approvals: new Map(),
    connection: 'offline',
    recoveredAt: null,
  };
}

export function createSessionSlice(runtime: ConsoleRuntime): SliceCreator<SessionSlice> {
  return (set, get) => {
    const { deps } = runtime;
    const preferences = deps.preferences ?? createAgentPreferences();
    const chime = deps.chime ?? (() => playNewRequestChime());

    /** Everything a fresh or restored link needs loaded; run again after every reconnection. */
    const loadEverything = async (again: boolean) => {
      const state = get();
      if (state.screen === 'settings' && state.session?.role !== 'admin') set({ screen: 'queue' });
      const isAdmin = state.session?.role === 'admin';
      const inSettings = state.screen === 'settings' && isAdmin;
      await Promise.all([
        state.loadQueue(),
        state.loadConfig(),
        state.loadDirectoryStatus(),
        state.loadApprovals(),
        state.openId ? state.refreshOpenRequest() : undefined,
        inSettings ? state.loadAgents() : undefined,
        inSettings && state.usersStatus !== 'idle' ? state.reloadUsers() : undefined,
        isAdmin ? state.loadMailStatus() : undefined,
        inSettings && state.blocksStatus !== 'idle' ? state.loadBlocks() : undefined,
      ]);
      if (again) get().markRecovered(Date.now());
    };

    const handlers: AgentLinkHandlers = {
      status: (status) => get().setConnection(status),
      sessionReady(info, how) {
        const before = get().session;
        const session = { ...info, mustEnrolTotp: info.mustEnrolTotp === true };
        set({
          session,
          phase: 'ready',
          endedMessage: null,
          soundOnNewRequest: preferences.soundOnNewRequest(info.agent.id),
        });
        if (session.mustEnrolTotp) return;
        // A re-announcement on the same connection reloads only what enrolment had held back, or
        // the queue when an admin changed which desks this agent staffs.
        const sameDesks =
          before && [...before.desks].sort().join() === [...session.desks].sort().join();
        if (how === 'updated' && before && !before.mustEnrolTotp && sameDesks) return;
        void loadEverything(how === 'reconnected');
      },
      requestCreated(request) {
        const state = get();
        state.observeServerTime(request.updatedAt);
        state.upsertRequest(request);
        if (request.state !== 'queued') return;
        // Only a request this agent could take: an admin also hears of other desks' requests.
        if (state.soundOnNewRequest && state.session?.desks.includes(request.desk)) chime();
        const desk = settingsSelectors.deskName(request.desk)(state);
        const who = request.displayName
          ? `${request.displayName} (${request.username})`
          : request.username;
        deps.host.notify({
          title: `New request ${request.reference}`,
          body: `${who} · ${desk}`,
          requestId: request.id,
        });
      },
      requestUpdated(request) {
        get().observeServerTime(request.updatedAt);
        get().upsertRequest(request);
        get().applyRequestUpdate(request);
        get().applyApproval(request);
      },
      approvalRequested(request) {
        const state = get();
        state.applyApproval(request);
        // The queue hears of it through request:updated (an admin approver may staff another desk).
        state.applyRequestUpdate(request);
        // Only those who may decide are called; the holder asked, and knows.
        if (!approvalSelectors.decidable(get()).some((r) => r.id === request.id)) return;
        const asker = request.approval?.requestedBy.username ?? 'An agent';
        deps.host.notify({
          title: `Approval asked for ${request.reference}`,
          body: `${asker} asks a second approver for ${request.username}`,
          requestId: request.id,
        });
      },
      configUpdated: (config) => get().applyConfig(config),
      directoryStatus: (status) => get().applyDirectoryStatus(status),
      alertRaised: (alert) => get().raiseAlert(alert),
      mailStatus: (status) => get().applyMailStatus(status),
      sessionEnded: (end) => get().endSession(end.message),
      rejected: () => get().endSession(SESSION_GONE_MESSAGE),
    };

    /** One enrolment start at a time (a double mount must not ask for two secrets). */
    let enrolmentStarting: Promise<void> | undefined;

    const connectWith = (token: string) => {
      runtime.link?.close();
      set({ token, phase: 'connecting', connection: 'connecting' });
      runtime.link = deps.connect(get().serverUrl, token, handlers);
    };

    return {
      serverUrl: '',
      phase: 'starting',
      screen: 'queue',
      token: null,
      session: null,
      signInError: null,
      totpNeeded: false,
      endedMessage: null,
      enrolment: null,
      enrolmentError: null,
      soundOnNewRequest: false,

      async start() {
        const serverUrl = await deps.host.serverUrl();
        set({ serverUrl });
        const token = await deps.host.loadSessionToken().catch(() => null);
        if (token) connectWith(token);
        else set({ phase: 'signed-out' });
      },

      async signIn(input) {
        set({ phase: 'signing-in', signInError: null, endedMessage: null });
        deps.host.askNotificationPermission();
        try {
          const body = {
            username: input.username,
            password: input.password,
            ...(input.totp ? { totp: input.totp } : {}),
          };
          const { token } = await deps.api.signIn(get().serverUrl, body);
          await deps.host.saveSessionToken(token).catch(() => undefined);
          set({ totpNeeded: false, endedMessage: null });
          connectWith(token);
        } catch (error) {
          const totpNeeded =
            get().totpNeeded || (error instanceof ApiError && error.code === 'totp-required');
          set({
            phase: 'signed-out',
            totpNeeded,
            signInError: {
              code: error instanceof ApiError ? error.code : 'internal',
              message: messageOf(error),
              fields: error instanceof ApiError ? (error.fields ?? {}) : {},
            },
          });
        }
      },

      async signOut() {
        const { token, serverUrl } = get();
        get().endSession(SIGNED_OUT_MESSAGE);
        // The local session is gone either way; the server drops its half when it hears of it.
        if (token) await deps.api.signOut(serverUrl, token).catch(() => undefined);
      },

      endSession(message) {
        runtime.link?.close();
        runtime.link = null;
        void deps.host.saveSessionToken(null).catch(() => undefined);
        deps.host.setPendingCount(0);
        set({
          ...clearedData(get()),
          phase: 'signed-out',
          screen: 'queue',
          token: null,
          session: null,
          signInError: null,
          totpNeeded: false,
          enrolment: null,
          enrolmentError: null,
          endedMessage: message,
          soundOnNewRequest: false,
        });
      },

      setScreen(screen) {
        set({ screen });
        if (screen === 'settings' && get().session?.role === 'admin') void get().loadAgents();
      },

      setSoundOnNewRequest(on) {
        const agentId = get().session?.agent.id;
        if (agentId) preferences.setSoundOnNewRequest(agentId, on);
        set({ soundOnNewRequest: on });
        // Played at once from the agent's click: they hear what they chose, and the browser
        // lets audio start from a gesture.
        if (on) chime();
      },

      beginTotpEnrolment() {
        enrolmentStarting ??= (async () => {
          set({ enrolmentError: null });
          try {
            set({ enrolment: await runtime.request('totp:begin', {}) });
          } catch (error) {
            set({ enrolmentError: messageOf(error) });
          } finally {
            enrolmentStarting = undefined;
          }
        })();
        return enrolmentStarting;
      },

      async confirmTotpEnrolment(code) {
        set({ enrolmentError: null });
        try {
          await runtime.request('totp:confirm', { code });
        } catch (error) {
          set({ enrolmentError: messageOf(error) });
          return false;
        }
        const session = get().session;
        set({
          enrolment: null,
          session: session
            ? {
                ...session,
                mustEnrolTotp: false,
                agent: { ...session.agent, totpEnrolled: true },
              }
            : null,
        });
        void loadEverything(false);
        return true;
      },
    };
  };
}

export const sessionSelectors = {
  phase: (s: ConsoleState) => s.phase,
  screen: (s: ConsoleState) => s.screen,
  serverUrl: (s: ConsoleState) => s.serverUrl,
  agent: (s: ConsoleState) => s.session?.agent ?? null,
  agentId: (s: ConsoleState) => s.session?.agent.id ?? null,
  isAdmin: (s: ConsoleState) => s.session?.role === 'admin',
  desks: (s: ConsoleState): ReadonlyArray<HelpDeskId> => s.session?.desks ?? NO_DESKS,
  mustEnrolTotp: (s: ConsoleState) => s.session?.mustEnrolTotp === true,
  signInError: (s: ConsoleState) => s.signInError,
  totpNeeded: (s: ConsoleState) => s.totpNeeded,
  endedMessage: (s: ConsoleState) => s.endedMessage,
  enrolment: (s: ConsoleState) => s.enrolment,
  enrolmentError: (s: ConsoleState) => s.enrolmentError,
  soundOnNewRequest: (s: ConsoleState) => s.soundOnNewRequest,
};

const NO_DESKS: ReadonlyArray<HelpDeskId> = [];
