// Specification of audit entries in words: every action the server records reads as a sentence
// naming who did what, with the detail that matters; an unknown action still reads plainly.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { actorName, auditWords } from '../../../server/audit/audit-words';
import type { WordedEntry } from '../../../server/audit/audit-words';

const labels: Record<string, string> = { callback: 'Called back the phone number on file' };
const context = { checkLabel: (id: string) => labels[id] };
const words = (actor: string, action: string, details: Record<string, unknown> = {}) =>
  auditWords({ actor, action, requestId: 'r1', details }, context);

describe('auditWords', () => {
  it('names the actor as a person reads it', () => {
    expect(actorName('agent:alice')).toBe('alice');
    expect(actorName('user:jsmith')).toBe('jsmith');
    expect(actorName('system')).toBe('system');
  });

  it("tells a request's trail from claim to outcome", () => {
    expect(
      words('user:jsmith', 'request.submitted', {
        desk: '2',
        reference: 'K7M-4QX',
        inDirectory: true,
        risk: { level: 'medium', score: 3, signals: [] },
      }),
    ).toBe('jsmith asked Help Desk 2 for a passcode (reference K7M-4QX, medium risk)');
    expect(words('agent:alice', 'request.claimed', { from: 'queued', to: 'claimed' })).toBe(
      'alice claimed the request',
    );
    expect(
      words('agent:alice', 'request.check-recorded', { checkId: 'callback', note: 'Called back' }),
    ).toBe("alice recorded 'Called back the phone number on file': Called back");
    expect(words('agent:alice', 'request.check-recorded', { checkId: 'badge', note: '' })).toBe(
      "alice recorded 'badge'",
    );
    expect(words('agent:alice', 'request.check-removed', { checkId: 'callback' })).toBe(
      "alice removed 'Called back the phone number on file'",
    );
    expect(words('agent:alice', 'request.otp-revealed', { revealCount: 2 })).toBe(
      'alice revealed a passcode (reveal #2)',
    );
    expect(
      words('agent:alice', 'request.otp-revealed', { revealCount: 1, approvedBy: 'bob' }),
    ).toBe('alice revealed a passcode (reveal #1), approved by bob');
    expect(words('agent:alice', 'request.passcode-shown', { revealCount: 2 })).toBe(
      'alice showed the passcode again (reveal #2)',
    );
    expect(
      words('agent:bob', 'request.approved', { note: 'Spoke to the manager', holder: 'alice' }),
    ).toBe('bob approved the reveal for alice: Spoke to the manager');
    expect(words('agent:bob', 'request.approval-refused', { note: 'No' })).toBe(
      'bob refused to approve the reveal: No',
    );
    expect(words('agent:alice', 'request.approval-requested', { note: 'Privileged' })).toBe(
      'alice asked for a second approver: Privileged',
    );
    expect(words('user:jsmith', 'otp.wrong')).toBe('jsmith typed a wrong passcode');
    expect(words('user:jsmith', 'request.locked')).toBe(
      'jsmith typed a wrong passcode too many times: the request is locked',
    );
    expect(words('user:jsmith', 'request.completed')).toBe(
      'jsmith typed the right passcode: the request is completed',
    );
    expect(words('system', 'request.expired')).toBe('system expired the request');
    expect(words('agent:alice', 'request.denied', { reason: 'Could not verify' })).toBe(
      'alice denied the request: Could not verify',
    );
    expect(words('user:jsmith', 'request.cancelled')).toBe('jsmith cancelled the request');
    expect(words('agent:root', 'request.taken-over', { from: 'alice' })).toBe(
      'root took the request over from alice',
    );
    expect(words('agent:alice', 'request.released')).toBe('alice released the request');
  });

  it('says why a reveal was refused, naming the requests a contest is with', () => {
    expect(words('agent:alice', 'request.reveal-refused', { reason: 'user-cap', count: 3 })).toBe(
      "alice was refused a reveal: the user reached the day's limit of passcodes",
    );
    expect(
      words('agent:alice', 'request.reveal-refused', { reason: 'contested', with: ['AAA-BBB'] }),
    ).toBe('alice was refused a reveal: two browsers asked for the user (AAA-BBB)');
    expect(words('agent:alice', 'request.reveal-refused', { reason: 'something-new' })).toBe(
      'alice was refused a reveal: something-new',
    );
  });

  it('reads mailed codes, suspicious callers, blocks and the end of requests by others', () => {
    expect(
      words('agent:alice', 'request.code-sent', {
        checkId: 'callback',
        sentTo: 'j•••@example.com',
        sends: 2,
      }),
    ).toBe(
      "alice mailed a verification code for 'Called back the phone number on file' to j•••@example.com (send #2)",
    );
    expect(
      words('agent:alice', 'request.code-checked', { checkId: 'callback', result: 'wrong' }),
    ).toBe('alice checked the code the caller read back: wrong');
    expect(words('agent:alice', 'request.suspicious-caller', { description: 'Pushy caller' })).toBe(
      'alice reported a suspicious caller: Pushy caller',
    );
    expect(
      words('agent:alice', 'block.added', {
        username: 'jsmith',
        reason: 'suspicious-caller',
        until: Date.UTC(2026, 11, 2, 9, 30),
      }),
    ).toBe(
      'alice blocked help-desk sign-in for jsmith (suspicious-caller, until 2026-12-02 09:30 UTC)',
    );
    expect(words('agent:root', 'block.cleared', { username: 'jsmith', reason: 'Verified' })).toBe(
      'root cleared the block on jsmith: Verified',
    );
    expect(words('system', 'request.superseded', { sameBrowser: true })).toBe(
      'system cancelled the request: a newer request replaced it',
    );
    expect(words('system', 'signin.refused', { reason: 'directory-disabled', step: 'code' })).toBe(
      'system refused the sign-in: the account is disabled in the directory (at the code step)',
    );
    expect(words('user:jsmith', 'signin.not-me', { endedRequests: 2, blocked: true })).toBe(
      'jsmith said a sign-in was not theirs: help-desk sign-in is blocked, 2 requests ended',
    );
  });

  it('reads the agents, settings, directory and mail actions', () => {
    expect(words('agent:alice', 'agent.login', { ip: '::1' })).toBe(
      'alice signed in to the console',
    );
    expect(words('agent:alice', 'agent.login-failed', { reason: 'bad-password' })).toBe(
      'alice failed to sign in to the console (wrong password)',
    );
    expect(
      words('agent:root', 'agent.created', { agent: 'bob', role: 'agent', desks: ['1', '2'] }),
    ).toBe('root created the agent account bob for desks 1 and 2');
    expect(words('agent:root', 'realm.updated', { changed: ['helpDesks', 'otpPolicy'] })).toBe(
      'root changed the settings: helpDesks and otpPolicy',
    );
    expect(
      words('agent:bob', 'authz.denied', {
        event: 'config:update',
        message: 'Only an admin can do that.',
      }),
    ).toBe('bob was refused config:update: Only an admin can do that.');
    expect(words('agent:root', 'directory.user-disabled', { username: 'jsmith' })).toBe(
      'root disabled jsmith',
    );
    expect(words('system', 'mail.sent', { kind: 'otp-revealed', to: ['j@example.com'] })).toBe(
      'system sent a otp-revealed mail to j@example.com',
    );
    expect(
      words('agent:root', 'audit.exported', { format: 'csv', filter: { actor: 'agent:bob' } }),
    ).toBe('root exported the audit log as CSV (actor agent:bob)');
  });

  it('reads an action it does not know plainly, with its simple details', () => {
    expect(
      words('agent:alice', 'request.some-new-thing', { reason: 'why', nested: { a: 1 } }),
    ).toBe('alice: request some new thing (reason: why)');
  });

  it('has a sentence of its own for every action the server records', () => {
    const root = fileURLToPath(new URL('../../../server/', import.meta.url));
    const actions = new Set<string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (file.endsWith('.ts') && !file.endsWith('audit-words.ts'))
          for (const match of readFileSync(file, 'utf8').matchAll(
            /'((?:request|otp|signin|block|agent|authz|realm|directory|mail|persistent-token|audit)\.[a-z-]+)'/g,
          ))
            actions.add(match[1]!);
      }
    };
    walk(root);
    // Names that look like actions but are files or fields, not audit actions.
    for (const name of actions) if (/\.jsonl?$/.test(name)) actions.delete(name);
    actions.delete('agent.username');
    expect(actions.size).toBeGreaterThan(50);
    const generic = [...actions].filter((action) => {
      const entry: WordedEntry = { actor: 'agent:alice', action, details: {} };
      return auditWords(entry).startsWith('alice: ');
    });
    expect(generic).toEqual([]);
  });
});
