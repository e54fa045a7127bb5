// Settings pages are deep-linkable: `#settings/<page>` opens that page, and the address follows the
// page on screen (a bookmark, a link in a runbook, or a reload lands where the admin was).
import { useEffect } from 'react';
import { useConsoleStore } from '../../store';
import { SETTINGS_AREAS, type SettingsArea } from '../../store/settings-state';

const PREFIX = '#settings/';

/** The page a location hash names, if it names one. */
export function settingsAreaOf(hash: string): SettingsArea | null {
  if (!hash.startsWith(PREFIX)) return null;
  const area = hash.slice(PREFIX.length);
  return (SETTINGS_AREAS as ReadonlyArray<string>).includes(area) ? (area as SettingsArea) : null;
}

export const settingsHref = (area: SettingsArea) => `${PREFIX}${area}`;

/** Keeps the store's Settings page and the address's hash in step, both ways. */
export function useSettingsLink(): void {
  const store = useConsoleStore();
  useEffect(() => {
    const follow = () => {
      const area = settingsAreaOf(window.location.hash);
      if (area && store.getState().session?.role === 'admin') store.getState().openSettings(area);
    };
    follow();
    const write = () => {
      const { screen, settingsArea, session } = store.getState();
      const wanted =
        screen === 'settings' && session?.role === 'admin' ? settingsHref(settingsArea) : '';
      const { hash, pathname, search } = window.location;
      if (hash === wanted || (!wanted && !hash.startsWith(PREFIX))) return;
      // replaceState: moving between pages is not a step the Back button should undo one by one.
      window.history.replaceState(window.history.state, '', `${pathname}${search}${wanted}`);
    };
    write();
    const unsubscribe = store.subscribe(write);
    window.addEventListener('hashchange', follow);
    return () => {
      unsubscribe();
      window.removeEventListener('hashchange', follow);
    };
  }, [store]);
}
