// @vitest-environment jsdom
// The desktop app's first run: with no server set anywhere it asks for one, checks the address
// with the same rule as main, lets the app check /healthz, and says what went wrong; a server the
// organisation set is named as such on the sign-in page.
import { act, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../renderer/src/App';
import { ConnectServerPage } from '../../renderer/src/features/first-run/ConnectServerPage';
import {
  desktopServerChoice,
  type ChooseServerResult,
  type ServerChoice,
  type ServerSetting,
} from '../../renderer/src/features/first-run/server-choice';
import { harness, settle } from './fakes';
import { cleanup, renderOn } from './render';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.location.hash = '';
});

function fakeChoice(setting: ServerSetting, answers: ChooseServerResult[] = []) {
  const choose = vi.fn(async (serverUrl: string): Promise<ChooseServerResult> => {
    return answers.shift() ?? { ok: true, serverUrl };
  });
  const choice: ServerChoice = { setting: async () => setting, choose };
  return { choice, choose };
}

const NOTHING_SET: ServerSetting = { serverUrl: null, source: null };

async function renderApp(choice: ServerChoice) {
  // The sign-in page asks the server how it is; nothing answers in these tests.
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => {
      throw new TypeError('fetch failed');
    }),
  );
  const h = harness();
  await h.store.getState().start();
  renderOn(h.store, <App host={h.host} serverChoice={choice} />);
  await act(settle);
  return h;
}

const addressField = () => screen.getByLabelText('Server address');
async function connectTo(address: string) {
  fireEvent.change(addressField(), { target: { value: address } });
  fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
  await act(settle);
}

describe('the first-run screen', () => {
  it('asks for the server when none is set, instead of the sign-in page', async () => {
    const { choice } = fakeChoice(NOTHING_SET);
    await renderApp(choice);
    screen.getByRole('heading', { level: 1, name: 'Connect to your help desk server' });
    expect(addressField()).toHaveProperty('type', 'url');
    expect(document.activeElement).toBe(addressField());
    expect(screen.queryByLabelText('Password')).toBeNull();
  });

  it('checks the address with the same rule as the app, asking the app nothing when it fails', async () => {
    const { choice, choose } = fakeChoice(NOTHING_SET);
    await renderApp(choice);
    for (const [typed, message] of [
      ['', 'Enter the address of your help desk server.'],
      ['ftp://helpdesk.example.com', 'Use an http:// or https:// address'],
      [
        'https://agent:secret@helpdesk.example.com',
        'Use a plain server address, without a user name, query or fragment',
      ],
      ['https://helpdesk.example.com/?next=x', 'Use a plain server address'],
    ] as const) {
      await connectTo(typed);
      expect(screen.getByText(message, { exact: false }).id, typed).toBe('server-address-error');
      expect(addressField().getAttribute('aria-invalid')).toBe('true');
      expect(addressField().getAttribute('aria-describedby')).toBe('server-address-error');
      expect(document.activeElement).toBe(addressField());
    }
    expect(choose).not.toHaveBeenCalled();
  });

  it('hands a good address to the app (https:// when none is typed) and says it connected', async () => {
    let answer!: (result: ChooseServerResult) => void;
    const choose = vi.fn(() => new Promise<ChooseServerResult>((resolve) => (answer = resolve)));
    await renderApp({ setting: async () => NOTHING_SET, choose });
    await connectTo('  helpdesk.example.com/ ');
    expect(choose).toHaveBeenCalledExactlyOnceWith('https://helpdesk.example.com');
    expect(screen.getByRole('button', { name: 'Checking…' })).toHaveProperty('disabled', true);
    expect(addressField()).toHaveProperty('readOnly', true);

    await act(async () => {
      answer({ ok: true, serverUrl: 'https://helpdesk.example.com' });
      await settle();
    });
    expect(screen.getByRole('status').textContent).toBe(
      'Connected to https://helpdesk.example.com. Opening the console…',
    );
    expect(screen.getByRole('button', { name: 'Connect' })).toHaveProperty('disabled', true);
  });

  it('keeps an http:// address as typed (a server on this machine, say)', async () => {
    const { choice, choose } = fakeChoice(NOTHING_SET);
    await renderApp(choice);
    await connectTo('http://127.0.0.1:3000');
    expect(choose).toHaveBeenCalledExactlyOnceWith('http://127.0.0.1:3000');
  });

  it('says why the app refused the address, and lets the agent try again', async () => {
    const { choice, choose } = fakeChoice(NOTHING_SET, [
      { ok: false, reason: 'unreachable', detail: 'fetch failed' },
      { ok: false, reason: 'not-help-desk', detail: 'https://grafana.example.com/healthz' },
    ]);
    await renderApp(choice);

    await connectTo('https://helpdesk.example.com');
    expect(screen.getByRole('alert').textContent).toBe(
      'No server answered at https://helpdesk.example.com (fetch failed). Check the address, and that this computer can reach it.',
    );
    expect(addressField()).toHaveProperty('readOnly', false);

    await connectTo('https://grafana.example.com');
    expect(screen.getByRole('alert').textContent).toMatch(
      /^Something answered at https:\/\/grafana\.example\.com, but not a Help Desk OTP server/,
    );

    await connectTo('https://helpdesk.corp.example');
    expect(choose).toHaveBeenCalledTimes(3);
    expect(screen.queryByRole('alert')).toBeNull();
    screen.getByText(/Opening the console/);
  });

  it("says so when the organisation's address is in force", async () => {
    const { choice } = fakeChoice(NOTHING_SET, [{ ok: false, reason: 'fixed', detail: 'managed' }]);
    await renderApp(choice);
    await connectTo('https://elsewhere.example');
    expect(screen.getByRole('alert').textContent).toBe(
      'Your organisation has set the server address; it cannot be changed here.',
    );
  });

  it('reports a bridge that fails instead of hanging on "Checking…"', async () => {
    const choose = vi.fn(async () => {
      throw new Error('forbidden');
    });
    await renderApp({ setting: async () => NOTHING_SET, choose });
    await connectTo('https://helpdesk.example.com');
    expect(screen.getByRole('alert').textContent).toBe(
      'The app could not check https://helpdesk.example.com: forbidden',
    );
    screen.getByRole('button', { name: 'Connect' });
  });
});

describe('with a server set', () => {
  it('goes straight to the sign-in page', async () => {
    const { choice } = fakeChoice({ serverUrl: 'http://console.test', source: 'saved' });
    await renderApp(choice);
    screen.getByLabelText('Password');
    expect(screen.queryByText('Connect to your help desk server')).toBeNull();
    expect(screen.queryByText(/set by your organisation/)).toBeNull();
  });

  it('names a server the organisation set as such', async () => {
    const { choice } = fakeChoice({ serverUrl: 'http://console.test', source: 'managed' });
    await renderApp(choice);
    expect(document.querySelector('.auth-server')?.textContent).toMatch(
      /^Server http:\/\/console\.test \(set by your organisation\) · /,
    );
  });

  it('in a browser, where there is no desktop setting, is the console as ever', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('', { status: 503 })),
    );
    const h = harness();
    await h.store.getState().start();
    renderOn(h.store, <App host={h.host} />);
    await act(settle);
    screen.getByLabelText('Password');
  });
});

describe('"Change server…" from the tray', () => {
  it('opens the same screen on the address in use, for the server the agent chose', async () => {
    window.location.hash = '#change-server';
    const { choice, choose } = fakeChoice({ serverUrl: 'https://old.example', source: 'saved' });
    await renderApp(choice);
    screen.getByRole('heading', { level: 1, name: 'Connect to your help desk server' });
    expect(screen.getByText(/uses/).textContent).toBe(
      'The app uses https://old.example now. Enter the address of the server to use instead.',
    );
    expect(addressField()).toHaveProperty('value', 'https://old.example');
    await connectTo('https://new.example');
    expect(choose).toHaveBeenCalledExactlyOnceWith('https://new.example');
  });

  it('is not offered for an address the organisation set', async () => {
    window.location.hash = '#change-server';
    const { choice } = fakeChoice({ serverUrl: 'http://console.test', source: 'managed' });
    await renderApp(choice);
    screen.getByLabelText('Password');
    expect(screen.queryByLabelText('Server address')).toBeNull();
  });

  it('goes back to the console on Cancel', () => {
    const onCancel = vi.fn();
    const { choice } = fakeChoice({ serverUrl: 'https://old.example', source: 'saved' });
    renderOn(
      harness().store,
      <ConnectServerPage choice={choice} current="https://old.example" onCancel={onCancel} />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it('has no Cancel at first run', async () => {
    const { choice } = fakeChoice(NOTHING_SET);
    await renderApp(choice);
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });
});

describe('desktopServerChoice', () => {
  it('is the bridge when the desktop app has the calls, and none otherwise', async () => {
    const getServerSetting = vi.fn(async () => NOTHING_SET);
    const chooseServer = vi.fn(async (serverUrl: string) => ({ ok: true as const, serverUrl }));
    const desktop = { desk: { getServerSetting, chooseServer } } as unknown as Window;
    const choice = desktopServerChoice(desktop);
    await expect(choice?.setting()).resolves.toEqual(NOTHING_SET);
    await expect(choice?.choose('https://x.example')).resolves.toEqual({
      ok: true,
      serverUrl: 'https://x.example',
    });
    expect(chooseServer).toHaveBeenCalledWith('https://x.example');
    // A browser, and a desktop app older than the first-run screen.
    expect(desktopServerChoice({} as Window)).toBeNull();
    expect(
      desktopServerChoice({ desk: { getServerUrl: vi.fn() } } as unknown as Window),
    ).toBeNull();
  });
});
