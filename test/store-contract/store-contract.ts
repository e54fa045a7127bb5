// The store contract: what every store implementation must do, checked through the repositories
// only. A store's own test calls `describeStoreContract` with a way to open it (and, to run the
// crash cases, a way for another process to open it too).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { AuditEntry } from '../../server/audit/audit-chain';
import { computeEntryHash, GENESIS_HASH } from '../../server/audit/audit-chain';
import type { RealmConfig } from '../../server/contract/realm-config';
import type { ClosedRequest, OpenRequest } from '../../server/domain/help-request';
import { CROCKFORD_ALPHABET } from '../../server/domain/reference-code';
import { auditEntryMatches } from '../../server/store/audit-query';
import { historyMatches } from '../../server/store/history-query';
import { applyCommand } from '../../server/domain/request-lifecycle';
import type { AgentActor } from '../../server/requests/request-service';
import { RequestService } from '../../server/requests/request-service';
import type {
  AuditFilter,
  HistoryFilter,
  OutboxMessage,
  RequestCommit,
  Store,
} from '../../server/store/repositories';
import { ROOT } from '../support/server-process';
import type { Acknowledged, WriterLine } from './crash-writer';
import {
  agentActor,
  agentRecord,
  cancelled,
  changed,
  claimedBy,
  directoryOfEveryone,
  queuedRequest,
  slowDirectory,
} from './records';

export interface StoreUnderTest {
  /** Opens the store; after a close or a crash, the same store again. */
  open(): Promise<Store>;
  /**
   * How another process opens this same store: a module (path from the repository root) whose
   * export `exportName(location)` resolves with it. The crash cases kill that process.
   */
  readonly inAnotherProcess: { module: string; exportName: string; location: string };
  /** Removes everything the store kept (the store is closed by then). */
  dispose(): Promise<void>;
}

export function describeStoreContract(name: string, create: () => Promise<StoreUnderTest>): void {
  /** A fresh store for one test, closed and disposed of when the test ends. */
  async function freshStore() {
    const sut = await create();
    const open = new Set<Store>();
    onTestFinished(async () => {
      for (const store of open) await store.close();
      await sut.dispose();
    });
    const tracked = {
      sut,
      async open(): Promise<Store> {
        const store = await sut.open();
        open.add(store);
        return store;
      },
      async close(store: Store): Promise<void> {
        open.delete(store);
        await store.close();
      },
      async reopen(store: Store): Promise<Store> {
        await tracked.close(store);
        return tracked.open();
      },
    };
    return tracked;
  }

  describe(`${name}: the store contract`, () => {
    it('reads commits back in the order they were made, and gives their audit entries seqs in that order', async () => {
      const { open, reopen } = await freshStore();
      let store = await open();
      const requests = Array.from({ length: 40 }, (_, i) => queuedRequest(i + 1));
      // Fired together, never awaited in between: the order of the calls is the order kept.
      await Promise.all(
        requests.map((r) => store.requests.commit(r, changed(r, 'request.submitted'))),
      );
      const ids = requests.map((r) => r.id);
      expect(store.requests.all.map((r) => r.id)).toEqual(ids);
      const entries = await readAudit(store);
      expect(entries.map((e) => e.requestId)).toEqual(ids);
      expect(entries.map((e) => e.seq)).toEqual(ids.map((_, i) => i + 1));

      // Later changes of one request, fired together: the last one made is the one that stays.
      const first = requests[0]!;
      await Promise.all([
        store.requests.commit(claimedBy(first, 'alice'), changed(first, 'request.claimed')),
        store.requests.commit(cancelled(first), changed(first, 'request.cancelled')),
      ]);
      expect(store.requests.get(first.id)).toBeUndefined();

      store = await reopen(store);
      expect(store.requests.all.map((r) => r.id)).toEqual(ids.slice(1));
      const after = await readAudit(store);
      expect(after.slice(-2).map((e) => e.action)).toEqual([
        'request.claimed',
        'request.cancelled',
      ]);
      expectUnbrokenChain(after);
    });

    it('changes a request atomically: of many simultaneous changes that claim it, exactly one commits', async () => {
      const { open, reopen } = await freshStore();
      let store = await open();
      const request = queuedRequest(1);
      await store.requests.commit(request, changed(request, 'request.submitted'));
      const agents = Array.from({ length: 10 }, (_, i) => agentActor(`agent${i}`));
      // Each decides by the domain's rules on the request it is given: only a queued one can be claimed.
      const claim = (agent: AgentActor) => (current: OpenRequest | undefined) => {
        if (!current) throw new Error('not open');
        const result = applyCommand(
          current,
          { type: 'claim', actor: agent },
          current.updatedAt + 1,
        );
        if (!result.ok) throw new Error(result.error.code);
        return {
          request: result.request,
          audit: { ...changed(result.request, 'request.claimed'), actor: `agent:${agent.ref.id}` },
        } satisfies RequestCommit;
      };
      const outcomes = await Promise.allSettled(
        agents.map((agent) => store.requests.change(request.id, claim(agent))),
      );
      const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [agents[i]!] : []));
      expect(won).toHaveLength(1);
      for (const outcome of outcomes)
        if (outcome.status === 'rejected')
          expect((outcome.reason as Error).message).toBe('already-claimed');
      const committed = (outcomes.find((o) => o.status === 'fulfilled') as PromiseFulfilledResult<
        OpenRequest | undefined
      >)!.value;
      expect(committed).toMatchObject({ state: 'claimed', claimedBy: won[0]!.ref });
      expect(store.requests.get(request.id)).toEqual(committed);
      const claims = (await readAudit(store)).filter((e) => e.action === 'request.claimed');
      expect(claims.map((e) => e.actor)).toEqual([`agent:${won[0]!.ref.id}`]);

      store = await reopen(store);
      expect(store.requests.get(request.id)).toEqual(committed);
    });

    it('commits nothing for a change that throws or decides nothing, and hands a request that is not open over as undefined', async () => {
      const { open } = await freshStore();
      const store = await open();
      const request = queuedRequest(1);
      await store.requests.commit(request, changed(request, 'request.submitted'));
      const seq = store.audit.lastSeq;

      const refused = new Error('refused');
      await expect(
        store.requests.change(request.id, () => {
          throw refused;
        }),
      ).rejects.toBe(refused);
      await expect(store.requests.change(request.id, () => undefined)).resolves.toBeUndefined();
      const seen: (OpenRequest | undefined)[] = [];
      await expect(
        store.requests.change('no-such-request', (current) => void seen.push(current)),
      ).resolves.toBeUndefined();
      expect(seen).toEqual([undefined]);
      expect(store.requests.all).toEqual([request]);
      expect(store.audit.lastSeq).toBe(seq);

      // Once closed through a change, the request is no longer there to change.
      const closed = await store.requests.change(request.id, (current) => ({
        request: cancelled(current as typeof request),
        audit: changed(request, 'request.cancelled'),
      }));
      expect(closed?.state).toBe('cancelled');
      await store.requests.change(request.id, (current) => void seen.push(current));
      expect(seen).toEqual([undefined, undefined]);
      expect(store.requests.all).toEqual([]);
    });

    it("runs one user's exclusive work one at a time, in order, and other users' side by side", async () => {
      const { open } = await freshStore();
      const store = await open();
      const running = new Map<string, number>();
      const most = new Map<string, number>();
      const order: string[] = [];
      const work = (username: string, label: string, fail = false) =>
        store.requests.exclusive(username, async () => {
          running.set(username, (running.get(username) ?? 0) + 1);
          most.set(username, Math.max(most.get(username) ?? 0, running.get(username)!));
          order.push(label);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running.set(username, running.get(username)! - 1);
          if (fail) throw new Error(label);
          return label;
        });
      const outcomes = await Promise.allSettled([
        work('jsmith', 'a1'),
        work('jsmith', 'a2', true),
        work('jsmith', 'a3'),
        work('mlee', 'b1'),
        work('mlee', 'b2'),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      expect(most.get('jsmith')).toBe(1);
      expect(order.filter((l) => l.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
      // The other user's work did not wait for the first user's.
      expect(order.indexOf('b1')).toBeLessThan(order.indexOf('a2'));
    });

    it('keeps one open request per user when many submissions for that user arrive at once through two callers', async () => {
      const { open } = await freshStore();
      const store = await open();
      await enableDeskOne(store);
      // Two callers on one store, as two server processes would be; the directory answers after a
      // while, so submissions that were not held apart would interleave.
      const callers = [0, 1].map(() => new RequestService(store, slowDirectory, Date.now));
      let n = 0;
      const submit = (browser: string) =>
        callers[n++ % 2]!.submit({
          username: 'jsmith',
          desk: '1',
          sessionSecret: browser,
          origin: { ip: '127.0.0.1', userAgent: 'store contract' },
        });

      const fromOneBrowser = await Promise.all(Array.from({ length: 12 }, () => submit('b1')));
      expect(store.requests.ofUser('jsmith').map((r) => r.id)).toEqual([fromOneBrowser.at(-1)!.id]);

      // Another two browsers: the user's first request stays, with at most one other beside it.
      await Promise.all(Array.from({ length: 12 }, (_, i) => submit(i % 2 ? 'b2' : 'b3')));
      const openNow = store.requests.ofUser('jsmith');
      expect(openNow).toHaveLength(2);
      expect(openNow.map((r) => r.id)).toContain(fromOneBrowser.at(-1)!.id);
      const superseded = (await readAudit(store)).filter((e) => e.action === 'request.superseded');
      expect(superseded).toHaveLength(24 - 2);
    });

    it('lets exactly one of many simultaneous claims win, whichever of two callers makes them', async () => {
      const { open } = await freshStore();
      const store = await open();
      await enableDeskOne(store);
      // Two callers on one store, as two server processes would be.
      const callers = [0, 1].map(() => new RequestService(store, directoryOfEveryone, Date.now));
      const request = await callers[0]!.submit({
        username: 'jsmith',
        desk: '1',
        sessionSecret: 'browser',
        origin: { ip: '127.0.0.1', userAgent: 'store contract' },
      });
      const agents = Array.from({ length: 10 }, (_, i) => agentActor(`agent${i}`));
      const outcomes = await Promise.allSettled(
        agents.map((agent, i) => callers[i % 2]!.claim(request.id, agent)),
      );
      const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [agents[i]!] : []));
      expect(won).toHaveLength(1);
      const held = store.requests.get(request.id);
      expect(held?.state).toBe('claimed');
      expect(held && 'claimedBy' in held ? held.claimedBy.id : undefined).toBe(won[0]!.ref.id);
      const claims = (await readAudit(store)).filter(
        (e) => e.action === 'request.claimed' && e.requestId === request.id,
      );
      expect(claims).toHaveLength(1);
    });

    it('keeps the audit chain unbroken across concurrent writers and across restarts', async () => {
      const { open, reopen } = await freshStore();
      let store = await open();
      const writes = Array.from({ length: 30 }, (_, i) => {
        if (i % 3 !== 0)
          return store.audit.record({ actor: 'system', action: 'contract.audit', details: { i } });
        const request = queuedRequest(i);
        return store.requests.commit(request, changed(request, 'request.submitted'));
      });
      const recorded = (await Promise.all(writes)).filter((e): e is AuditEntry => !!e);
      // Seqs follow the order of the calls, whichever repository took them.
      expect(recorded.map((e) => e.details.i)).toEqual(
        [...recorded].sort((a, b) => a.seq - b.seq).map((e) => e.details.i),
      );
      const before = await readAudit(store);
      expect(before).toHaveLength(30);
      expectUnbrokenChain(before);
      expect(store.audit.lastSeq).toBe(30);
      expect(store.audit.lastHash).toBe(before.at(-1)!.hash);

      store = await reopen(store);
      expect(store.audit.lastSeq).toBe(30);
      expect(store.audit.lastHash).toBe(before.at(-1)!.hash);
      const next = await store.audit.record({ actor: 'system', action: 'contract.after-restart' });
      expect(next).toMatchObject({ seq: 31, prevHash: before.at(-1)!.hash });
      expectUnbrokenChain(await readAudit(store));
    });

    it('finds everything again after a restart: requests open and closed, audit head, realm, agents, sessions, directory, keys, revocations', async () => {
      const { open, reopen } = await freshStore();
      let store = await open();
      expect(store.firstRun).toBe(true);
      const [queued, claimed, closed] = [1, 2, 3].map((n) => queuedRequest(n));
      await store.requests.commit(queued!, changed(queued!, 'request.submitted'));
      await store.requests.commit(claimed!, changed(claimed!, 'request.submitted'));
      await store.requests.commit(
        claimedBy(claimed!, 'alice'),
        changed(claimed!, 'request.claimed'),
      );
      await store.requests.commit(closed!, changed(closed!, 'request.submitted'));
      await store.requests.commit(cancelled(closed!), changed(closed!, 'request.cancelled'));
      await store.requests.setFailures('user1', [10, 20]);
      const realm: RealmConfig = { ...store.realm.config, requestTtlMinutes: 42 };
      await store.realm.save(realm);
      await store.agents.add(agentRecord('alice'));
      await store.agents.update('alice', (a) => ({ ...a, desks: ['1', '2'] }));
      const session = {
        tokenHash: 'b'.repeat(64),
        id: 'session-1',
        agentId: 'alice',
        createdAt: 1,
        expiresAt: 2,
      };
      await store.sessions.add(session);
      const user = {
        username: 'jsmith',
        displayName: 'Jane Smith',
        email: 'jsmith@example.com',
        phone: '+14155550101',
        employeeId: 'E1',
        department: 'Finance',
        manager: 'mlee',
        enabled: true,
        privileged: false,
        passwordHash: 'hash',
      };
      await store.directory.put(user);
      await store.persistentTokens.revokeUpTo('jsmith', 1234);
      const keys = {
        otpKey: store.keys.otpKey,
        cookieKey: store.keys.cookieKey,
        assertionKey: await store.keys.assertionKey(),
      };
      const head = { seq: store.audit.lastSeq, hash: store.audit.lastHash };
      const health = store.health();

      store = await reopen(store);
      expect(store.firstRun).toBe(false);
      expect(store.requests.all).toEqual([queued, claimedBy(claimed!, 'alice')]);
      expect(store.requests.get(closed!.id)).toBeUndefined();
      expect(store.requests.ofUser('user2').map((r) => r.state)).toEqual(['claimed']);
      expect(store.requests.hasReference(queued!.reference)).toBe(true);
      expect(store.requests.failuresOf('user1')).toEqual([10, 20]);
      expect({ seq: store.audit.lastSeq, hash: store.audit.lastHash }).toEqual(head);
      expect(store.health()).toEqual(health);
      expect(health).toMatchObject({ status: 'ok', openRequests: 2, closedRequests: 1 });
      expect(store.realm.config).toEqual(realm);
      expect(store.agents.list()).toEqual([{ ...agentRecord('alice'), desks: ['1', '2'] }]);
      expect(store.agents.byUsername('alice')?.id).toBe('alice');
      expect(store.sessions.byTokenHash(session.tokenHash)).toEqual(session);
      expect(store.sessions.expiredAt(2).map((s) => s.id)).toEqual(['session-1']);
      expect(store.directory.find('jsmith')).toEqual(user);
      expect(store.persistentTokens.notBefore('jsmith')).toBe(1234);
      expect({
        otpKey: store.keys.otpKey,
        cookieKey: store.keys.cookieKey,
        assertionKey: await store.keys.assertionKey(),
      }).toEqual(keys);
    });

    it('keeps an outbox message once enqueue resolves, and answers what is due, next, recent and counted', async () => {
      const { open, reopen } = await freshStore();
      let store = await open();
      const [late, early, sent] = [
        outboxMessage(1, { nextAttemptAt: 5_000 }),
        outboxMessage(2, { nextAttemptAt: 1_000 }),
        outboxMessage(3, { state: 'sent', sentAt: 3_500, text: '', html: '' }),
      ];
      for (const message of [late!, early!, sent!]) await store.outbox.enqueue(message);

      store = await reopen(store);
      expect(store.outbox.get(late!.id)).toEqual(late);
      expect(store.outbox.get(sent!.id)).toEqual(sent);
      expect(store.outbox.due(1_000, 10).map((m) => m.id)).toEqual([early!.id]);
      expect(store.outbox.due(9_000, 10).map((m) => m.id)).toEqual([early!.id, late!.id]);
      expect(store.outbox.due(9_000, 1).map((m) => m.id)).toEqual([early!.id]);
      expect(store.outbox.nextDueAt()).toBe(1_000);
      expect(store.outbox.counts()).toEqual({ pending: 2, failed: 0, sent: 1 });
      expect(store.outbox.recent(['sent'], 5).map((m) => m.id)).toEqual([sent!.id]);
      expect(store.outbox.recent(['pending', 'sent'], 2).map((m) => m.id)).toEqual([
        sent!.id,
        early!.id,
      ]);

      // Pruning forgets settled messages older than the cut, never a pending one.
      expect(await store.outbox.prune(Number.MAX_SAFE_INTEGER)).toBe(1);
      store = await reopen(store);
      expect(store.outbox.get(sent!.id)).toBeUndefined();
      expect(store.outbox.counts()).toEqual({ pending: 2, failed: 0, sent: 0 });
    });

    it('updates an outbox message atomically: of ten simultaneous changes from pending to sent, only the first applies', async () => {
      const { open, reopen } = await freshStore();
      let store = await open();
      const message = outboxMessage(1);
      await store.outbox.enqueue(message);
      const markSent = (at: number) => (current: OutboxMessage) =>
        current.state === 'pending'
          ? { ...current, state: 'sent' as const, sentAt: at, text: '', html: '' }
          : undefined;
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.outbox.update(message.id, markSent(100 + i))),
      );
      expect(results.map((r) => r?.sentAt ?? null)).toEqual([100, ...Array(9).fill(null)]);
      expect(store.outbox.get(message.id)).toMatchObject({ state: 'sent', sentAt: 100, text: '' });

      store = await reopen(store);
      expect(store.outbox.get(message.id)).toEqual(results[0]);
      expect(store.outbox.nextDueAt()).toBeUndefined();
    });

    it('keeps method blocks across a reopen: put replaces, remove says whether there was one', async () => {
      const { open, reopen } = await freshStore();
      let store = await open();
      const block = {
        username: 'jsmith',
        reason: 'not-me' as const,
        detail: 'Link',
        at: 1,
        by: 'user:jsmith',
      };
      await store.blocks.put(block);
      await store.blocks.put({ ...block, username: 'mlee', reason: 'admin', by: 'agent:root' });
      const replaced = { ...block, reason: 'suspicious-caller' as const, detail: 'Again', at: 2 };
      await store.blocks.put(replaced);

      store = await reopen(store);
      expect(store.blocks.get('jsmith')).toEqual(replaced);
      expect(
        store.blocks
          .list()
          .map((b) => b.username)
          .sort(),
      ).toEqual(['jsmith', 'mlee']);
      expect(await store.blocks.remove('jsmith')).toBe(true);
      expect(await store.blocks.remove('jsmith')).toBe(false);

      store = await reopen(store);
      expect(store.blocks.get('jsmith')).toBeUndefined();
      expect(store.blocks.list().map((b) => b.username)).toEqual(['mlee']);
    });

    it('lets a single-use link be used once: of twenty simultaneous uses exactly one wins, and none after a reopen', async () => {
      const { open, reopen } = await freshStore();
      let store = await open();
      const expiresAt = Date.now() + 3_600_000;
      const uses = await Promise.all(
        Array.from({ length: 20 }, () => store.usedLinks.use('link-1', expiresAt)),
      );
      expect(uses.filter(Boolean)).toHaveLength(1);

      store = await reopen(store);
      expect(await store.usedLinks.use('link-1', expiresAt)).toBe(false);
      expect(await store.usedLinks.use('link-2', expiresAt)).toBe(true);
    });

    it('takes activity within a window atomically: of twenty simultaneous takes with room for five, exactly five land, and they are kept across a reopen', async () => {
      const { open, reopen } = await freshStore();
      let store = await open();
      const key = 'reveal:agent-1';
      const takes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.activity.take(key, 1_000 + i, 0, 5)),
      );
      expect(takes.filter(Boolean)).toHaveLength(5);
      expect(store.activity.since(key, 0)).toHaveLength(5);
      // Another key has its own room.
      expect(await store.activity.take('reveal:agent-2', 1_000, 0, 5)).toBe(true);

      store = await reopen(store);
      expect(store.activity.since(key, 0)).toHaveLength(5);
      expect(await store.activity.take(key, 2_000, 0, 5)).toBe(false);
      // Times before the window no longer count, and are forgotten.
      expect(await store.activity.take(key, 10_000, 5_000, 5)).toBe(true);
      expect(store.activity.since(key, 0)).toEqual([10_000]);
      expect(store.activity.since(key, 20_000)).toEqual([]);
    });

    it('keeps the last twenty sign-ins of a user, newest first, across a reopen', async () => {
      const { open, reopen } = await freshStore();
      let store = await open();
      for (let i = 1; i <= 23; i++)
        await store.signIns.add('jsmith', {
          at: i,
          deviceHash: String(i).padStart(64, '0'),
          ip: `198.51.100.${i}`,
          network: '198.51.100.0/24',
        });
      await store.signIns.add('mlee', { at: 5, deviceHash: '', ip: '::1', network: '::/48' });

      store = await reopen(store);
      const kept = store.signIns.of('jsmith');
      expect(kept.map((s) => s.at)).toEqual(Array.from({ length: 20 }, (_, i) => 23 - i));
      expect(kept[0]).toEqual({
        at: 23,
        deviceHash: String(23).padStart(64, '0'),
        ip: '198.51.100.23',
        network: '198.51.100.0/24',
      });
      expect(store.signIns.of('mlee')).toHaveLength(1);
      expect(store.signIns.of('nobody')).toEqual([]);
    });

    it('keeps each audit export cursor once set resolves, the last set winning, across a reopen', async () => {
      const { open, reopen } = await freshStore();
      let store = await open();
      expect(store.exportCursors.get('syslog')).toBeUndefined();
      await store.exportCursors.set('syslog', 40);
      await Promise.all([
        store.exportCursors.set('webhook', 7),
        store.exportCursors.set('syslog', 42),
      ]);
      expect(store.exportCursors.get('syslog')).toBe(42);

      store = await reopen(store);
      expect(store.exportCursors.get('syslog')).toBe(42);
      expect(store.exportCursors.get('webhook')).toBe(7);
      expect(store.exportCursors.get('elsewhere')).toBeUndefined();
      // A cursor set back (an operator resending) is kept as set.
      await store.exportCursors.set('webhook', 0);
      store = await reopen(store);
      expect(store.exportCursors.get('webhook')).toBe(0);
    });

    it('finds closed requests by reference, username, agent, desk, outcome and closing time, newest first, a page at a time, and again after a reopen', async () => {
      const { open, reopen } = await freshStore();
      let store = await open();
      const closed = await commitHistory(store, 14);
      // Still open: never in the history.
      const open15 = queuedRequest(15);
      await store.requests.commit(open15, changed(open15, 'request.submitted'));
      const filters: HistoryFilter[] = [
        {},
        { reference: 'k7m' },
        { reference: 'K7M-5' },
        { reference: 'k7m 5qx' },
        { reference: 'R0000' },
        { reference: 'ZZZ' },
        { username: 'JSMITH' },
        { username: 'user1' },
        { agent: 'Bob' },
        { agent: 'carol' },
        { agent: 'nobody' },
        { desk: '2' },
        { outcome: 'denied' },
        { desks: ['1'] },
        { desks: [] },
        { desk: '2', desks: ['1'] },
        { from: closed[3]!.closedAt, to: closed[9]!.closedAt },
        { username: 'jsmith', desk: '1', outcome: 'completed' },
      ];
      const check = async () => {
        for (const filter of filters) {
          const expected = closed.filter((r) => historyMatches(r, filter)).reverse();
          const found = await store.history.search({ ...filter, offset: 0, limit: 100 });
          expect({ filter, ids: found.requests.map((r) => r.id), total: found.total }).toEqual({
            filter,
            ids: expected.map((r) => r.id),
            total: expected.length,
          });
        }
        // Each request whole, as committed; pages of the newest first.
        expect((await store.history.search({ offset: 0, limit: 1 })).requests).toEqual([
          closed.at(-1),
        ]);
        const page = await store.history.search({ offset: 4, limit: 3 });
        expect(page).toEqual({ requests: closed.slice().reverse().slice(4, 7), total: 14 });
        expect(await store.history.get(closed[6]!.id)).toEqual(closed[6]);
        expect(await store.history.get(open15.id)).toBeUndefined();
        expect(await store.history.get('no-such-request-id')).toBeUndefined();
      };
      // Sanity of the definition the store is held to.
      expect(closed.filter((r) => historyMatches(r, { agent: 'bob' })).length).toBeGreaterThan(0);
      await check();
      store = await reopen(store);
      await check();
      // Closed after the reopen: found at once, newest first.
      const later = await commitHistory(store, 1, 20);
      const newest = await store.history.search({ offset: 0, limit: 1 });
      expect(newest).toEqual({ requests: later, total: 15 });
    });

    it("searches the audit log by actor, action, request and time, newest first, a page at a time, streams a request's entries oldest first, and checks the chain, again after a reopen", async () => {
      const { open, reopen } = await freshStore();
      let store = await open();
      const closed = await commitHistory(store, 6);
      await store.audit.record({
        actor: 'agent:root',
        action: 'realm.updated',
        details: { changed: ['otpPolicy'] },
        at: new Date(1_800_000_000_000),
      });
      await store.audit.record({ actor: 'system', action: 'directory.unavailable' });
      const requestId = closed[0]!.id;
      const filters: AuditFilter[] = [
        {},
        { actor: 'AGENT:' },
        { actor: 'agent:bob' },
        { actor: 'user:jsmith' },
        { action: 'request.' },
        { action: 'Request.Claimed' },
        { action: 'realm.updated' },
        { requestIds: [requestId] },
        { requestIds: [closed[1]!.id, closed[5]!.id] },
        { requestIds: [] },
        { requestIds: ['no-such-request-id'] },
        { from: 1_700_000_100_000 + 3_000, to: 1_800_000_000_000 },
        { from: 1_800_000_000_000 },
        { actor: 'agent:', action: 'request.claimed', to: 1_700_000_100_000 + 4_000 },
      ];
      const check = async () => {
        const entries = await readAudit(store);
        for (const filter of filters) {
          const expected = entries.filter((e) => auditEntryMatches(e, filter)).reverse();
          const found = await store.audit.search({ ...filter, offset: 0, limit: 100 });
          expect({ filter, seqs: found.entries.map((e) => e.seq), total: found.total }).toEqual({
            filter,
            seqs: expected.map((e) => e.seq),
            total: expected.length,
          });
        }
        const page = await store.audit.search({ offset: 2, limit: 3 });
        expect(page).toEqual({
          entries: entries.slice().reverse().slice(2, 5),
          total: entries.length,
        });
        const trail: AuditEntry[] = [];
        for await (const entry of store.audit.select({ requestIds: [requestId] }))
          trail.push(entry);
        expect(trail).toEqual(entries.filter((e) => e.requestId === requestId));
        expect(trail.map((e) => e.action)).toEqual([
          'request.submitted',
          'request.claimed',
          'request.denied',
        ]);
        const all: AuditEntry[] = [];
        for await (const entry of store.audit.select({})) all.push(entry);
        expect(all).toEqual(entries);
        expect(await store.audit.verify()).toEqual({
          ok: true,
          entries: entries.length,
          lastHash: store.audit.lastHash,
        });
      };
      await check();
      store = await reopen(store);
      await check();
      // Recorded after the reopen: searchable at once.
      const next = await store.audit.record({ actor: 'agent:dave', action: 'agent.login' });
      expect(await store.audit.search({ actor: 'agent:dave', offset: 0, limit: 10 })).toEqual({
        entries: [next],
        total: 1,
      });
    });

    it('keeps every write acknowledged while it closes, refuses the rest, and opens again with one chain', async () => {
      const { open, close } = await freshStore();
      const store = await open();
      // Writes keep arriving while the store closes (a server stopping under load).
      const writes: Array<Promise<string>> = [];
      let closing: Promise<void> | undefined;
      for (let n = 1; n <= 60; n++) {
        const request = queuedRequest(n);
        writes.push(
          store.requests
            .commit(request, changed(request, 'request.submitted'))
            .then(() => request.id),
        );
        writes.push(
          store.audit
            .record({ actor: 'system', action: 'contract.closing', details: { n } })
            .then((entry) => `audit:${entry.seq}:${entry.hash}`),
        );
        if (n === 20) closing = close(store);
        await Promise.resolve();
      }
      const settled = await Promise.allSettled(writes);
      await closing;
      const acknowledged = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      expect(acknowledged.length).toBeGreaterThanOrEqual(40);

      const again = await open();
      const entries = await readAudit(again);
      expectUnbrokenChain(entries);
      const bySeq = new Map(entries.map((e) => [e.seq, e.hash]));
      for (const ack of acknowledged) {
        const [kind, seq, hash] = ack.split(':');
        if (kind === 'audit') expect(bySeq.get(Number(seq)), ack).toBe(hash);
        else expect(again.requests.get(ack)?.state, ack).toBe('queued');
      }
    });

    describe('after a crash', () => {
      it('has every write acknowledged before the writer was killed, and an audit log that agrees with the requests', async () => {
        const { sut, open, close } = await freshStore();
        // The store exists before the writer starts, so its first run is not what is tested.
        await close(await open());

        const acked = await writeUntilKilled(sut.inAnotherProcess, 150);
        const store = await open();
        const entries = await readAudit(store);
        expectUnbrokenChain(entries);
        const actionsOf = new Map<string, string[]>();
        for (const e of entries)
          if (e.requestId)
            actionsOf.set(e.requestId, [...(actionsOf.get(e.requestId) ?? []), e.action]);
        const bySeq = new Map(entries.map((e) => [e.seq, e]));

        for (const ack of acked) {
          if (ack.kind === 'audit') {
            expect(bySeq.get(ack.seq)?.hash, `audit seq ${ack.seq}`).toBe(ack.hash);
            continue;
          }
          const actions = actionsOf.get(ack.id) ?? [];
          expect(actions, ack.id).toContain('request.submitted');
          if (ack.kind === 'cancelled') {
            expect(actions, ack.id).toContain('request.cancelled');
            expect(store.requests.get(ack.id), ack.id).toBeUndefined();
          }
        }
        // Nothing on record that its audit entries do not explain, nor the other way round.
        for (const request of store.requests.all)
          expect(actionsOf.get(request.id), request.id).toEqual(['request.submitted']);
        const closedInAudit = [...actionsOf.values()].filter((a) =>
          a.includes('request.cancelled'),
        );
        expect(store.health().closedRequests).toBe(closedInAudit.length);
        for (const [id, actions] of actionsOf)
          if (!actions.includes('request.cancelled'))
            expect(store.requests.get(id)?.state, id).toBe('queued');

        // The chain goes on from where the crash left it.
        const next = await store.audit.record({ actor: 'system', action: 'contract.after-crash' });
        expect(next).toMatchObject({ seq: entries.length + 1, prevHash: entries.at(-1)!.hash });
      }, 60_000);
    });
  });
}

/** Runs the crash writer in its own process and SIGKILLs it once it has acknowledged `count` writes. */
async function writeUntilKilled(
  target: StoreUnderTest['inAnotherProcess'],
  count: number,
): Promise<Acknowledged[]> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/store-contract/crash-writer.ts',
      target.module,
      target.exportName,
      target.location,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const acked: Acknowledged[] = [];
  for await (const text of createInterface({ input: child.stdout })) {
    const line = JSON.parse(text) as WriterLine;
    if (line.kind === 'ready') continue;
    acked.push(line);
    if (acked.length === count) {
      child.kill('SIGKILL');
      break;
    }
  }
  await exited;
  if (acked.length < count) throw new Error(`the writer stopped before the kill:\n${errors}`);
  return acked;
}

async function readAudit(store: Store): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for await (const entry of store.audit.entries()) entries.push(entry);
  return entries;
}

function expectUnbrokenChain(entries: readonly AuditEntry[]): void {
  let prev = { seq: 0, hash: GENESIS_HASH };
  for (const entry of entries) {
    expect(entry.seq).toBe(prev.seq + 1);
    expect(entry.prevHash).toBe(prev.hash);
    expect(computeEntryHash(entry)).toBe(entry.hash);
    prev = entry;
  }
}

async function enableDeskOne(store: Store): Promise<void> {
  const config = store.realm.config;
  await store.realm.save({
    ...config,
    helpDesks: {
      ...config.helpDesks,
      '1': { enabled: true, name: 'IT Desk', phone: '+14155550100', email: 'it@example.com' },
    },
  });
}

/** Everyone asked about is an enabled user: the contract is about the store, not the directory. */

/** A pending outbox message numbered `n` (overrides win). */
function outboxMessage(n: number, overrides: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    id: `contract-mail-${n}`,
    messageId: `<contract-mail-${n}@example.com>`,
    kind: 'test',
    to: [`user${n}@example.com`],
    subject: `Mail ${n}`,
    text: `Text ${n}`,
    html: `<p>Text ${n}</p>`,
    createdAt: 1_000 + n,
    state: 'pending',
    attempts: 0,
    nextAttemptAt: 1_000 + n,
    sentAt: null,
    lastError: null,
    ...overrides,
  };
}

const CLOSED_OUTCOMES = ['completed', 'denied', 'cancelled', 'expired', 'locked'] as const;

/**
 * Commits `count` requests (numbered from `first`) and closes each: users jsmith and others, both
 * desks, every outcome, held by alice, bob or carol (or nobody), a reference code each (one of
 * them not a code of six symbols), closing a second apart. Resolves with the closed versions in
 * the order they closed.
 */
async function commitHistory(store: Store, count: number, first = 1): Promise<ClosedRequest[]> {
  const closed: ClosedRequest[] = [];
  for (let n = first; n < first + count; n += 1) {
    const base = queuedRequest(n, n % 3 === 0 ? 'jsmith' : `user${n}`);
    const queued = {
      ...base,
      desk: n % 2 === 0 ? ('2' as const) : ('1' as const),
      // The last one keeps its test reference (R000014): not a code of six symbols.
      reference: n === 14 ? base.reference : `K7M-${CROCKFORD_ALPHABET[n % 32]}QX`,
    };
    await store.requests.commit(queued, changed(queued, 'request.submitted'));
    const state = CLOSED_OUTCOMES[n % CLOSED_OUTCOMES.length]!;
    const agent = ['alice', 'bob', 'carol'][n % 3]!;
    const held = state !== 'expired' && state !== 'cancelled';
    if (held) {
      const claimed = claimedBy(queued, agent);
      await store.requests.commit(claimed, {
        ...changed(claimed, 'request.claimed'),
        actor: `agent:${agent}`,
        at: new Date(1_700_000_100_000 + n * 1_000 - 500),
      });
    }
    const closedAt = 1_700_000_100_000 + n * 1_000;
    const request = {
      ...queued,
      state,
      closedAt,
      updatedAt: closedAt,
      closedReason: `Closed as ${state}.`,
      ...(held ? { claimedBy: { id: agent, username: agent } } : {}),
      // Denied by another agent than the holder: both are "the agent" of it.
      ...(state === 'denied' ? { closedBy: { id: 'bob', username: 'bob' } } : {}),
    } as ClosedRequest;
    await store.requests.commit(request, {
      ...changed(request, `request.${state}`),
      at: new Date(closedAt),
    });
    closed.push(request);
  }
  return closed;
}
