// Losing and regaining the server: the status the banner shows, and the reload after reconnecting.
import { describe, expect, it } from 'vitest';
import { connectionSelectors } from '../../renderer/src/store';
import { harness, requestDetail, requestView, sessionInfo, settle, signedIn } from './fakes';

describe('connection status', () => {
  it('shows the banner only for a signed-in agent whose link is down', async () => {
    const h = harness();
    await h.store.getState().start();
    h.store.getState().setConnection('reconnecting');
    expect(connectionSelectors.isLost(h.store.getState())).toBe(false);
    await signedIn(h);
    h.link.handlers.status('online');
    expect(connectionSelectors.isLost(h.store.getState())).toBe(false);
    h.link.handlers.status('reconnecting');
    expect(connectionSelectors.isLost(h.store.getState())).toBe(true);
  });
});

describe('after a reconnection', () => {
  it('reloads the queue from the server, so requests created while offline appear', async () => {
    const before = requestView({ createdAt: 1 });
    const h = harness({ queue: [before] });
    await signedIn(h);
    h.link.handlers.status('reconnecting');

    // While offline a request arrived and the first one was completed by someone else.
    const missed = requestView({ createdAt: 2, reference: 'OFF-LIN' });
    h.link.answer('queue:list', () => ({ requests: [missed] }));
    h.link.handlers.status('online');
    h.link.handlers.sessionReady(sessionInfo(), 'reconnected');
    await settle();

    const state = h.store.getState();
    expect(state.order).toEqual([missed.id]);
    expect(state.recoveredAt).not.toBeNull();
    expect(connectionSelectors.isLost(state)).toBe(false);
    expect(h.link.callsOf('queue:list')).toHaveLength(2);
  });

  it('refreshes the open request too, so its view is not stale', async () => {
    const view = requestView();
    const h = harness({ queue: [view] });
    let served = requestDetail(view);
    h.link.answer('request:get', () => served);
    await signedIn(h);
    await h.store.getState().openRequest(view.id);
    served = requestDetail({ ...view, state: 'cancelled', updatedAt: view.updatedAt + 5 });
    h.link.answer('queue:list', () => ({ requests: [] }));
    h.link.handlers.sessionReady(sessionInfo(), 'reconnected');
    await settle();
    expect(h.store.getState().detail?.state).toBe('cancelled');
  });
});
