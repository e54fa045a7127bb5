// @vitest-environment jsdom
// Notes with checks: when the realm's policy says a check needs a note, its note field is marked
// required and ticking it without one is stopped in the console with a clear message (the server
// refuses too); where no note is needed, a check records without one.
import { act, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RealmConfig } from '../../server/contract/realm-config';
import { RequestPanel } from '../../renderer/src/features/request/RequestPanel';
import { harness, realmConfig, requestDetail, requestView, settle, signedIn } from './fakes';
import { cleanup, renderOn } from './render';

afterEach(cleanup);

const me = { id: 'agent-alice', username: 'alice' };

async function opened(notesRequired: RealmConfig['verificationPolicy']['notesRequired']) {
  const config = realmConfig();
  config.verificationPolicy = { ...config.verificationPolicy, notesRequired };
  const view = requestView({ state: 'claimed', claimedBy: me });
  const h = harness({ queue: [view], config });
  let current = requestDetail(view);
  h.link
    .answer('request:get', () => current)
    .answer('request:verify', ({ checkId, note }) => {
      current = {
        ...current,
        verification: [
          ...current.verification,
          { checkId, note, by: me, at: 1, method: 'attested' as const },
        ],
        updatedAt: current.updatedAt + 1,
      };
      return current;
    });
  await signedIn(h);
  await h.store.getState().openRequest(view.id);
  renderOn(h.store, <RequestPanel />);
  return h;
}

const callbackNote = () => screen.getByLabelText('Note for “Called back the phone number on file”');
const employeeIdNote = () =>
  screen.getByLabelText('Note for “Caller stated the employee ID on file”');

describe('notes required with the required checks (the default)', () => {
  it('marks the required check’s note and stops a tick without one, with a message', async () => {
    const h = await opened('required');
    expect(callbackNote().getAttribute('aria-required')).toBe('true');
    expect(callbackNote().getAttribute('placeholder')).toBe(
      'Note (required): what was confirmed, how',
    );
    expect(employeeIdNote().getAttribute('aria-required')).toBeNull();

    const box = screen.getByRole('checkbox', { name: /Called back the phone number/ });
    fireEvent.click(box);
    await act(settle);
    expect(h.link.callsOf('request:verify')).toEqual([]);
    expect((box as HTMLInputElement).checked).toBe(false);
    const message = screen.getByText(
      'Write what you confirmed, and how, before ticking this check.',
    );
    expect(callbackNote().getAttribute('aria-invalid')).toBe('true');
    expect(callbackNote().getAttribute('aria-describedby')).toBe(message.id);
    expect(document.activeElement).toBe(callbackNote());

    // Enter in the empty note is stopped the same way; typing clears the message.
    fireEvent.keyDown(callbackNote(), { key: 'Enter' });
    expect(h.link.callsOf('request:verify')).toEqual([]);
    fireEvent.change(callbackNote(), { target: { value: 'Called +14155550111, they answered' } });
    expect(screen.queryByText(/before ticking this check/)).toBeNull();
    fireEvent.click(box);
    await act(settle);
    expect(h.link.callsOf('request:verify')).toEqual([
      {
        requestId: h.store.getState().openId,
        checkId: 'callback',
        note: 'Called +14155550111, they answered',
      },
    ]);

    // A check that needs no note records without one.
    fireEvent.click(screen.getByRole('checkbox', { name: /employee ID/ }));
    await act(settle);
    expect(h.link.callsOf('request:verify')).toHaveLength(2);
  });
});

describe('notes required with every check', () => {
  it('stops any check without a note', async () => {
    const h = await opened('all');
    expect(employeeIdNote().getAttribute('aria-required')).toBe('true');
    fireEvent.click(screen.getByRole('checkbox', { name: /employee ID/ }));
    await act(settle);
    expect(h.link.callsOf('request:verify')).toEqual([]);
    screen.getByText('Write what you confirmed, and how, before ticking this check.');
  });
});

describe('no notes required', () => {
  it('records a check without a note', async () => {
    const h = await opened('none');
    expect(callbackNote().getAttribute('aria-required')).toBeNull();
    fireEvent.click(screen.getByRole('checkbox', { name: /Called back the phone number/ }));
    await act(settle);
    expect(h.link.callsOf('request:verify')).toHaveLength(1);
  });
});
