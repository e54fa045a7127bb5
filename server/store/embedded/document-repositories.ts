// Repositories over the embedded store's lowdb documents: each change is applied in memory at once
// and resolves once its document is on disk.
import type { RealmConfig } from '../../contract/realm-config';
import type { DocumentStore } from './document';
import type {
  AgentsDocument,
  DirectoryDocument,
  KeysDocument,
  PersistentTokensDocument,
  SessionsDocument,
} from './documents';
import { newAssertionKey } from './documents';
import type {
  AgentRepository,
  DirectoryUser,
  DirectoryUserRepository,
  KeyRepository,
  PersistentTokenRepository,
  RealmRepository,
  SessionRepository,
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
