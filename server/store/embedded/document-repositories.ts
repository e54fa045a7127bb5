// Repositories over the embedded store's lowdb documents: each change is applied in memory at once
// and resolves once its document is on disk.
import type { RealmConfig } from '../../contract/realm-config';
import type { DocumentStore } from './document';
import type {
  ActivityDocument,
  AgentsDocument,
  BlocksDocument,
  DirectoryDocument,
  ExportCursorsDocument,
  KeysDocument,
  OutboxDocument,
  PersistentTokensDocument,
  SessionsDocument,
  SignInsDocument,
  UsedLinksDocument,
} from './documents';
import { newAssertionKey } from './documents';
import type {
  ActivityRepository,
  AgentRepository,
  DirectoryUser,
  DirectoryUserRepository,
  ExportCursorRepository,
  KeyRepository,
  MethodBlockRepository,
  OutboxMessage,
  OutboxRepository,
  PersistentTokenRepository,
  RealmRepository,
  SessionRepository,
  SignInHistoryRepository,
  UsedLinkRepository,
} from '../repositories';

export function agentRepository(doc: DocumentStore<AgentsDocument>): AgentRepository {
  const byId = (id: string) => doc.data.agents.find((a) => a.id === id);
  return {
    list: () => doc.data.agents,
    byId,
    byUsername: (username) => doc.data.agents.find((a) => a.username === username),
    add: (agent) => doc.update((d) => void d.agents.push(agent)),
    update(id, change) {
      // Read and changed in one synchronous step, so concurrent callers see each other's change.
      const current = byId(id);
      const next = current && change(current);
      if (!next) return Promise.resolve(undefined);
      return doc.update((d) => {
        d.agents[d.agents.findIndex((a) => a.id === id)] = next;
        return next;
      });
    },
  };
}

export function sessionRepository(doc: DocumentStore<SessionsDocument>): SessionRepository {
  return {
    byTokenHash: (tokenHash) => doc.data.sessions.find((s) => s.tokenHash === tokenHash),
    // The only process using the store: its document is the committed state.
    lookup: async (tokenHash) => doc.data.sessions.find((s) => s.tokenHash === tokenHash),
    byId: (id) => doc.data.sessions.find((s) => s.id === id),
    ofAgent: (agentId) => doc.data.sessions.filter((s) => s.agentId === agentId),
    expiredAt: (now) => doc.data.sessions.filter((s) => s.expiresAt <= now),
    add: (session) => doc.update((d) => void d.sessions.push(session)),
    remove(ids) {
      const gone = new Set(ids);
      return doc.update((d) => {
        d.sessions = d.sessions.filter((s) => !gone.has(s.id));
      });
    },
  };
}

export function directoryUserRepository(
  doc: DocumentStore<DirectoryDocument>,
): DirectoryUserRepository {
  // Users are kept in username order; the index is rebuilt after each change, not per lookup.
  let index: Map<string, DirectoryUser> | undefined;
  const byName = () => (index ??= new Map(doc.data.users.map((u) => [u.username, u])));
  const replace = (users: readonly DirectoryUser[]) =>
    doc.update((d) => {
      const merged = new Map(d.users.map((u) => [u.username, u]));
      for (const user of users) merged.set(user.username, user);
      d.users = [...merged.values()].sort((a, b) => compareUsernames(a.username, b.username));
      index = undefined;
    });
  return {
    find: (username) => byName().get(username),
    list: () => doc.data.users,
    get count() {
      return doc.data.users.length;
    },
    put: (user) => replace([user]),
    putMany: (users) => replace(users),
    async remove(username) {
      if (!byName().has(username)) return false;
      await doc.update((d) => {
        d.users = d.users.filter((u) => u.username !== username);
        index = undefined;
      });
      return true;
    },
  };
}

function compareUsernames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function realmRepository(doc: DocumentStore<RealmConfig>): RealmRepository {
  return {
    get config() {
      return doc.data;
    },
    save: (config) => doc.update((d) => void Object.assign(d, config)),
  };
}

export function keyRepository(doc: DocumentStore<KeysDocument>): KeyRepository {
  return {
    otpKey: doc.data.otpKey,
    cookieKey: doc.data.cookieKey,
    async assertionKey() {
      if (!doc.data.assertionKey) {
        const created = newAssertionKey();
        await doc.update((d) => {
          d.assertionKey ??= created;
        });
      }
      return doc.data.assertionKey!;
    },
    secret: (name) => doc.data.secrets?.[name],
    setSecret: (name, value) =>
      doc.update((d) => {
        const secrets = { ...d.secrets };
        if (value === undefined) delete secrets[name];
        else secrets[name] = value;
        d.secrets = secrets;
      }),
  };
}

export function persistentTokenRepository(
  doc: DocumentStore<PersistentTokensDocument>,
): PersistentTokenRepository {
  return {
    notBefore: (username) => doc.data.notBefore[username],
    revokeUpTo: (username, at) =>
      doc.update((d) => {
        d.notBefore[username] = at;
      }),
  };
}

export function outboxRepository(doc: DocumentStore<OutboxDocument>): OutboxRepository {
  const find = (id: string) => doc.data.messages.find((m) => m.id === id);
  const pending = () => doc.data.messages.filter((m) => m.state === 'pending');
  return {
    enqueue: (message) => doc.update((d) => void d.messages.push(message)),
    get: find,
    due: (now, limit) =>
      pending()
        .filter((m) => m.nextAttemptAt <= now)
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt)
        .slice(0, limit),
    nextDueAt() {
      const times = pending().map((m) => m.nextAttemptAt);
      return times.length > 0 ? Math.min(...times) : undefined;
    },
    update(id, change) {
      // Read and changed in one synchronous step, so concurrent callers see each other's change.
      const current = find(id);
      const next = current && change(current);
      if (!next) return Promise.resolve(undefined);
      return doc.update((d) => {
        d.messages[d.messages.findIndex((m) => m.id === id)] = next;
        return next;
      });
    },
    recent: (states, limit) =>
      doc.data.messages
        .filter((m) => states.includes(m.state))
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, limit),
    counts() {
      const counts = { pending: 0, failed: 0, sent: 0 };
      for (const m of doc.data.messages) counts[m.state] += 1;
      return counts;
    },
    async prune(before) {
      const old = (m: OutboxMessage) => m.state !== 'pending' && m.createdAt < before;
      const count = doc.data.messages.filter(old).length;
      if (count > 0)
        await doc.update((d) => {
          d.messages = d.messages.filter((m) => !old(m));
        });
      return count;
    },
  };
}

export function methodBlockRepository(doc: DocumentStore<BlocksDocument>): MethodBlockRepository {
  return {
    get: (username) => doc.data.blocks.find((b) => b.username === username),
    list: () => doc.data.blocks,
    put: (block) =>
      doc.update((d) => {
        d.blocks = d.blocks.filter((b) => b.username !== block.username).concat(block);
      }),
    async remove(username) {
      if (!doc.data.blocks.some((b) => b.username === username)) return false;
      await doc.update((d) => {
        d.blocks = d.blocks.filter((b) => b.username !== username);
      });
      return true;
    },
  };
}

export function usedLinkRepository(
  doc: DocumentStore<UsedLinksDocument>,
  now: () => number = Date.now,
): UsedLinkRepository {
  return {
    async use(id, expiresAt) {
      // Decided synchronously: of two simultaneous uses, only the first finds the id free.
      if (Object.hasOwn(doc.data.used, id)) return false;
      await doc.update((d) => {
        const t = now();
        for (const [known, until] of Object.entries(d.used)) if (until < t) delete d.used[known];
        d.used[id] = expiresAt;
      });
      return true;
    },
  };
}

export function activityRepository(doc: DocumentStore<ActivityDocument>): ActivityRepository {
  return {
    since: (key, since) => (doc.data.times[key] ?? []).filter((t) => t >= since),
    take: (key, at, windowStart, limit) =>
      // Decided inside the synchronous change: of simultaneous takes, each sees the ones before it.
      doc.update((d) => {
        const recent = (d.times[key] ?? []).filter((t) => t >= windowStart);
        const taken = recent.length < limit;
        if (taken) recent.push(at);
        if (recent.length > 0) d.times[key] = recent;
        else delete d.times[key];
        return taken;
      }),
  };
}

/** How many sign-ins of each user are remembered. */
export const SIGN_INS_KEPT = 20;

export function signInHistoryRepository(
  doc: DocumentStore<SignInsDocument>,
): SignInHistoryRepository {
  return {
    of: (username) => doc.data.users[username] ?? [],
    add: (username, record) =>
      doc.update((d) => {
        d.users[username] = [record, ...(d.users[username] ?? [])].slice(0, SIGN_INS_KEPT);
      }),
  };
}

export function exportCursorRepository(
  doc: DocumentStore<ExportCursorsDocument>,
): ExportCursorRepository {
  return {
    get: (name) => doc.data.cursors[name],
    set: (name, seq) =>
      doc.update((d) => {
        d.cursors[name] = seq;
      }),
  };
}
