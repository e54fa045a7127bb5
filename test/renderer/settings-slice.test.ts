// The settings slice: saving the realm config with the server's field errors, and managing agents.
import { describe, expect, it } from 'vitest';
import { WireRequestError } from '../../renderer/src/lib/socket';
import { settingsSelectors } from '../../renderer/src/store';
import { agentView, harness, realmConfig, signedIn } from './fakes';

const admin = agentView({ id: 'agent-root', username: 'root', role: 'admin' });

describe('realm settings', () => {
  it('keeps the server field errors by path and hands each form its own', async () => {
    const h = harness();
    await signedIn(h);
    h.link.answer('config:update', () => {
      throw new WireRequestError(
        'bad-request',
        'The settings is not valid: helpDesks.2.phone: Use international format',
        {
          'helpDesks.2.phone': 'Use international format, e.g. +14155550123',
          'helpDesks.2.email': 'Enter an email address',
        },
      );
    });
    const outcome = await h.store.getState().saveConfig('help-desk-2', {
      helpDesks: { '2': { enabled: true, name: 'X', phone: '555', email: 'x' } },
    });
    expect(outcome.ok).toBe(false);
    const state = h.store.getState();
    expect(settingsSelectors.fieldError('helpDesks.2.phone')(state)).toMatch(/international/);
    expect(settingsSelectors.errorsUnder('helpDesks.2')(state)).toEqual({
      phone: 'Use international format, e.g. +14155550123',
      email: 'Enter an email address',
    });
    expect(settingsSelectors.errorsUnder('helpDesks.1')(state)).toEqual({});
    expect(state.configError?.section).toBe('help-desk-2');
    expect(state.savingSection).toBeNull();
  });

  it('applies the saved config, marks the section saved and clears old errors', async () => {
    const h = harness();
    await signedIn(h);
    h.store.setState({ configErrors: { 'helpDesks.2.phone': 'old' } });
    const next = realmConfig();
    next.helpDesks['2'].phone = '+14155550222';
    h.link.answer('config:update', () => next);
    expect(
      (
        await h.store
          .getState()
          .saveConfig('help-desk-2', { helpDesks: { '2': next.helpDesks['2'] } })
      ).ok,
    ).toBe(true);
    expect(h.store.getState().config?.helpDesks['2'].phone).toBe('+14155550222');
    expect(h.store.getState().savedSection).toBe('help-desk-2');
    expect(h.store.getState().configErrors).toEqual({});
  });

  it('takes a config pushed by the server (another admin saved)', async () => {
    const h = harness();
    await signedIn(h);
    h.link.handlers.configUpdated(realmConfig({ name: 'Renamed realm' }));
    expect(h.store.getState().config?.name).toBe('Renamed realm');
  });
});

describe('agents', () => {
  it('creates an agent and shows the generated password once', async () => {
    const h = harness();
    await signedIn(h, { agent: admin, desks: ['1', '2'], role: 'admin', mustEnrolTotp: false });
    h.link.answer('agents:list', () => ({ agents: [admin] }));
    h.link.answer('agents:create', (input) => ({
      agent: agentView({ id: 'agent-new', ...input }),
      password: 'generated-password-1',
    }));
    h.store.getState().setScreen('settings');
    await Promise.resolve();
    expect(h.link.callsOf('agents:list')).toHaveLength(1);
    await h.store
      .getState()
      .createAgent({ username: 'newbie', displayName: 'New Bie', role: 'agent', desks: ['2'] });
    expect(h.store.getState().agents.map((a) => a.username)).toEqual(['root', 'newbie']);
    expect(h.store.getState().oneTimePassword).toEqual({
      username: 'newbie',
      password: 'generated-password-1',
      reason: 'created',
    });
    h.store.getState().dismissPassword();
    expect(h.store.getState().oneTimePassword).toBeNull();
  });

  it('shows a refused creation field by field', async () => {
    const h = harness();
    await signedIn(h);
    h.link.answer('agents:create', () => {
      throw new WireRequestError('conflict', 'An agent called bob already exists.', {
        username: 'Taken',
      });
    });
    const outcome = await h.store
      .getState()
      .createAgent({ username: 'bob', displayName: 'Bob', role: 'agent', desks: [] });
    expect(outcome).toEqual({ ok: false, message: 'An agent called bob already exists.' });
    expect(h.store.getState().agentFieldErrors).toEqual({ username: 'Taken' });
  });

  it('resets a password (shown once) and updates desks, role and enabled in place', async () => {
    const h = harness();
    await signedIn(h);
    const bob = agentView({ id: 'agent-bob', username: 'bob' });
    h.store.setState({ agents: [admin, bob] });
    h.link.answer('agents:update', (update) => ({
      agent: {
        ...bob,
        ...(update.desks ? { desks: update.desks } : {}),
        ...(update.enabled !== undefined ? { enabled: update.enabled } : {}),
      },
      ...(update.resetPassword ? { password: 'new-password-2' } : {}),
    }));
    await h.store.getState().resetAgentPassword('agent-bob');
    expect(h.link.callsOf('agents:update')).toEqual([{ id: 'agent-bob', resetPassword: true }]);
    expect(h.store.getState().oneTimePassword?.reason).toBe('reset');
    await h.store.getState().updateAgent({ id: 'agent-bob', desks: ['2'], enabled: false });
    expect(h.store.getState().agents.find((a) => a.id === 'agent-bob')).toMatchObject({
      desks: ['2'],
      enabled: false,
    });
    expect(h.store.getState().agents).toHaveLength(2);
  });
});
