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
  const find = (username: string) => doc.data.users.find((u) => u.username === username);
  return {
    find,
    put: (user) =>
      doc.update((d) => {
        d.users = d.users.filter((u) => u.username !== user.username).concat(user);
      }),
    async remove(username) {
      if (!find(username)) return false;
      await doc.update((d) => {
        d.users = d.users.filter((u) => u.username !== username);
      });
      return true;
    },
  };
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
