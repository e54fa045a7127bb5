// @vitest-environment jsdom
// Audit (admins): the log filtered by actor, action, request and days, newest first and paged, each
// entry in words with its details on demand; Verify chain's answer in words; the filtered entries
// exported as CSV or JSONL over HTTP with the admin's token, saved under a dated name.
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditSearch, AuditVerifyResult } from '../../server/contract/history';
import { AuditPage } from '../../renderer/src/features/audit/AuditPage';
import { auditExportPath } from '../../renderer/src/features/audit/audit-api';
import { WireRequestError } from '../../renderer/src/lib/socket';
import { NO_AUDIT_FILTERS } from '../../renderer/src/store/audit-state';
import {
  agentView,
  auditEntry,
  harness,
  sessionInfo,
  settle,
  signedIn,
  type Harness,
} from './fakes';
import { cleanup, renderOn } from './render';

const admin = agentView({ id: 'agent-root', username: 'root', displayName: 'Root', role: 'admin' });
const realFetch = globalThis.fetch;

beforeEach(() => {
  URL.createObjectURL = vi.fn(() => 'blob:audit');
  URL.revokeObjectURL = vi.fn();
});

afterEach(() => {
  cleanup();
  globalThis.fetch = realFetch;
});

const entries = [
  auditEntry({
    seq: 42,
    actor: 'agent:alice',
    action: 'request.otp-revealed',
    requestId: 'request-000000000042',
    details: { reference: 'K7M-4QX', revealCount: 2, otpExpiresAt: 1_764_000_600_000 },
    words: 'alice revealed a passcode (reveal #2)',
  }),
  auditEntry({
    seq: 41,
    actor: 'user:jsmith',
    action: 'otp.wrong',
    words: 'jsmith typed a wrong passcode',
  }),
  auditEntry({
    seq: 40,
    actor: 'system',
    action: 'request.expired',
    words: 'system expired the request',
  }),
];

async function auditOn(
  answer: (search: AuditSearch) => { entries: typeof entries; total: number } = () => ({
    entries,
    total: entries.length,
  }),
): Promise<Harness> {
  const h = harness();
  h.link.answer('audit:search', answer);
  await signedIn(h, sessionInfo({ agent: admin }));
  return h;
}

const searches = (h: Harness) => h.link.callsOf('audit:search') as AuditSearch[];

describe('the audit slice', () => {
  it('shows only the newest search when answers come back out of order, and forgets all at sign-out', async () => {
    const answers: Array<(page: { entries: typeof entries; total: number }) => void> = [];
    const h = harness();
    h.link.answer('audit:search', () => new Promise((resolve) => answers.push(resolve)));
    h.link.answer('audit:verify', () => ({ ok: true, entries: 3, lastHash: 'ab'.repeat(32) }));
    await signedIn(h, sessionInfo({ agent: admin }));
    const first = h.store.getState().searchAudit({ ...NO_AUDIT_FILTERS, actor: 'agent:' });
    const second = h.store.getState().searchAudit({ ...NO_AUDIT_FILTERS, actor: 'user:' });
    answers[1]!({ entries: [entries[1]!], total: 1 });
    answers[0]!({ entries: [entries[0]!], total: 1 });
    await Promise.all([first, second]);
    expect(h.store.getState().auditEntries.map((e) => e.seq)).toEqual([41]);
    await h.store.getState().verifyAudit();
    expect(h.store.getState().auditVerify.step).toBe('done');

    await h.store.getState().signOut();
    const state = h.store.getState();
    expect(state.auditEntries).toEqual([]);
    expect(state.auditFilters).toEqual(NO_AUDIT_FILTERS);
    expect(state.auditVerify).toEqual({ step: 'idle' });
  });
});

describe('after a lost connection', () => {
  it('the Audit page on screen is asked for again', async () => {
    const h = await auditOn();
    h.store.getState().setScreen('audit');
    await h.store.getState().searchAudit({ ...NO_AUDIT_FILTERS, action: 'request.' }, 50);
    h.store.getState().markRecovered(Date.now());
    await settle();
    expect(searches(h)).toEqual([
      { action: 'request.', offset: 50, limit: 50 },
      { action: 'request.', offset: 50, limit: 50 },
    ]);
  });
});

describe('the Audit view', () => {
  it('lists entries newest first with time, actor, action and words; details on demand', async () => {
    const h = await auditOn();
    renderOn(h.store, <AuditPage />);
    await act(settle);

    expect(screen.getByRole('heading', { level: 1, name: 'Audit log' })).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Audit entries' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    const first = within(rows[0]!);
    expect(first.getByText('alice revealed a passcode (reveal #2)')).toBeTruthy();
    expect(first.getByText('agent:alice')).toBeTruthy();
    expect(first.getByText('request.otp-revealed')).toBeTruthy();
    expect(
      first.getByText(
        new Date(entries[0]!.at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'medium' }),
      ),
    ).toBeTruthy();
    expect(within(rows[2]!).getByText('system expired the request')).toBeTruthy();
    expect(searches(h)).toEqual([{ offset: 0, limit: 50 }]);

    const details = screen.getByRole('button', { name: 'Details of entry #42' });
    expect(details.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(details);
    expect(details.getAttribute('aria-expanded')).toBe('true');
    const panel = document.getElementById(details.getAttribute('aria-controls')!)!;
    expect(within(panel).getByText('request-000000000042')).toBeTruthy();
    expect(within(panel).getByText('K7M-4QX')).toBeTruthy();
    expect(within(panel).getByText('revealCount')).toBeTruthy();
    expect(within(panel).getByText(/^2025-11-24T16:10:00\.000Z \(/)).toBeTruthy();
    expect(within(panel).getByText(entries[0]!.at)).toBeTruthy();
    fireEvent.click(details);
    expect(details.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByText('request-000000000042')).toBeNull();
  });

  it('filters by actor, action, request and days, and clears', async () => {
    const h = await auditOn();
    renderOn(h.store, <AuditPage />);
    await act(settle);

    fireEvent.change(screen.getByLabelText('Actor'), { target: { value: ' agent:alice ' } });
    const action = screen.getByLabelText('Action');
    expect(within(action).getByRole('option', { name: 'All requests' })).toBeTruthy();
    fireEvent.change(action, { target: { value: 'request.otp-revealed' } });
    fireEvent.change(screen.getByLabelText('Request'), { target: { value: 'K7M-4QX' } });
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-12-01' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-12-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Filter' }));
    await act(settle);
    expect(searches(h).at(-1)).toEqual({
      actor: 'agent:alice',
      action: 'request.otp-revealed',
      request: 'K7M-4QX',
      from: new Date(2026, 11, 1).getTime(),
      to: new Date(2026, 11, 2).getTime(),
      offset: 0,
      limit: 50,
    });

    fireEvent.change(action, { target: { value: 'request.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Filter' }));
    await act(settle);
    expect(searches(h).at(-1)?.action).toBe('request.');

    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await act(settle);
    expect(searches(h).at(-1)).toEqual({ offset: 0, limit: 50 });
  });

  it('pages fifty at a time and says which entries are shown', async () => {
    const page = Array.from({ length: 50 }, (_, i) => auditEntry({ seq: 1000 - i }));
    const h = await auditOn(() => ({ entries: page, total: 1234 }));
    renderOn(h.store, <AuditPage />);
    await act(settle);
    const pager = screen.getByRole('navigation', { name: 'Pages of audit entries' });
    expect(within(pager).getByText('1–50 of 1,234')).toBeTruthy();
    fireEvent.click(within(pager).getByRole('button', { name: 'Next' }));
    await act(settle);
    expect(searches(h).at(-1)).toEqual({ offset: 50, limit: 50 });
    expect(within(pager).getByText('51–100 of 1,234')).toBeTruthy();
  });

  it('says when nothing matches, and when the log could not be read', async () => {
    let fail = false;
    const h = await auditOn(() => {
      if (fail) throw new WireRequestError('forbidden', 'Only admins can read the audit log.');
      return { entries: [], total: 0 };
    });
    renderOn(h.store, <AuditPage />);
    await act(settle);
    expect(screen.getByText('The audit log is empty.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Actor'), { target: { value: 'agent:nobody' } });
    fireEvent.click(screen.getByRole('button', { name: 'Filter' }));
    await act(settle);
    expect(screen.getByText('No entry matches these filters.')).toBeTruthy();
    fail = true;
    fireEvent.click(screen.getByRole('button', { name: 'Filter' }));
    await act(settle);
    expect(screen.getByRole('alert').textContent).toContain('Only admins can read the audit log.');
  });
});

describe('Verify chain', () => {
  async function verified(result: AuditVerifyResult | Error) {
    const h = await auditOn();
    h.link.answer('audit:verify', () => {
      if (result instanceof Error) throw result;
      return result;
    });
    renderOn(h.store, <AuditPage />);
    await act(settle);
    fireEvent.click(screen.getByRole('button', { name: 'Verify chain' }));
    await act(settle);
    return h;
  }

  it('shows an intact chain with its count and last hash', async () => {
    const lastHash = 'c0ffee'.repeat(10) + 'abcd';
    const h = await verified({ ok: true, entries: 12_345, lastHash });
    expect(h.link.callsOf('audit:verify')).toEqual([{}]);
    const status = screen.getByText('Chain intact:').closest('[role="status"]')!;
    expect(status.textContent).toContain(
      'Chain intact: 12,345 entries, each linked to the one before',
    );
    expect(status.textContent).toContain(`Last hash ${lastHash}`);
    expect(status.className).toContain('notice-success');
  });

  it('shows where a broken chain breaks and why', async () => {
    await verified({ ok: false, entries: 11, seq: 12, line: 12, reason: 'hash mismatch' });
    const status = screen.getByText(/Chain broken at entry #12/).closest('[role="status"]')!;
    expect(status.textContent).toBe(
      'Chain broken at entry #12 (line 12): hash mismatch. The 11 entries before it check out; this entry or one before it was changed or removed.',
    );
    expect(status.className).toContain('notice-error');
  });

  it('says when the check could not run', async () => {
    await verified(new WireRequestError('timeout', 'The server did not answer in time.'));
    expect(
      screen.getByText(/The check could not run: The server did not answer in time\./),
    ).toBeTruthy();
  });
});

describe('Export', () => {
  function fakeFetch(response: () => Response) {
    const calls: Array<{ url: string; headers: Record<string, string> }> = [];
    globalThis.fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(url), headers: init?.headers as Record<string, string> });
      return response();
    }) as typeof fetch;
    return calls;
  }

  it('downloads the filtered entries as CSV with the admin’s bearer token, named with the day', async () => {
    const calls = fakeFetch(
      () =>
        new Response('seq,at,actor\r\n42,2026-12-01T10:00:00Z,agent:alice\r\n', {
          headers: {
            'content-type': 'text/csv',
            'content-disposition': 'attachment; filename="audit-log-2026-12-01.csv"',
          },
        }),
    );
    const h = await auditOn();
    renderOn(h.store, <AuditPage />);
    await act(settle);
    fireEvent.change(screen.getByLabelText('Action'), {
      target: { value: 'request.otp-revealed' },
    });
    fireEvent.change(screen.getByLabelText('Actor'), { target: { value: 'agent:alice' } });
    fireEvent.click(screen.getByRole('button', { name: 'Filter' }));
    await act(settle);

    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await act(settle);
    await act(settle);
    expect(calls).toHaveLength(1);
    const url = new URL(calls[0]!.url);
    expect(url.origin + url.pathname).toBe('http://console.test/api/audit/export');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      format: 'csv',
      actor: 'agent:alice',
      action: 'request.otp-revealed',
    });
    expect(calls[0]!.headers.authorization).toBe('Bearer token-1');
    expect(URL.createObjectURL).toHaveBeenCalledTimes(1);
    expect(screen.getByText('Saved audit-log-2026-12-01.csv.')).toBeTruthy();
  });

  it('names a JSONL file with today’s date when the server gives no name', async () => {
    fakeFetch(
      () => new Response('{"seq":1}\n', { headers: { 'content-type': 'application/x-ndjson' } }),
    );
    const h = await auditOn();
    renderOn(h.store, <AuditPage />);
    await act(settle);
    fireEvent.click(screen.getByRole('button', { name: 'Export JSONL' }));
    await act(settle);
    await act(settle);
    const today = new Date();
    const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    expect(screen.getByText(`Saved audit-log-${day}.jsonl.`)).toBeTruthy();
  });

  it('says why an export was refused', async () => {
    fakeFetch(
      () =>
        new Response(
          JSON.stringify({
            error: { code: 'forbidden', message: 'Only admins can export the audit log.' },
          }),
          {
            status: 403,
            headers: { 'content-type': 'application/json' },
          },
        ),
    );
    const h = await auditOn();
    renderOn(h.store, <AuditPage />);
    await act(settle);
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await act(settle);
    await act(settle);
    expect(screen.getByText('Only admins can export the audit log.')).toBeTruthy();
    expect(URL.createObjectURL).not.toHaveBeenCalled();
  });

  it('puts the day range in the export address as moments', () => {
    expect(auditExportPath('jsonl', { request: 'K7M-4QX', from: 1_000, to: 2_000 })).toBe(
      '/api/audit/export?format=jsonl&request=K7M-4QX&from=1000&to=2000',
    );
  });
});
