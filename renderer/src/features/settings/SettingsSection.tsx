// One saveable part of Settings: a titled form with its own Save button, saving state and outcome.
import { useEffect, type FormEvent, type ReactNode } from 'react';
import type { SettingsSection as SectionId } from '../../store/settings-state';
import { settingsSelectors, useConsole, useConsoleStore } from '../../store';

export function SettingsSection(props: {
  id: SectionId;
  title: string;
  description?: ReactNode;
  dirty: boolean;
  onSave: () => void;
  onReset: () => void;
  children: ReactNode;
}) {
  const { id, title, description, dirty, onSave, onReset, children } = props;
  const saving = useConsole((s) => settingsSelectors.savingSection(s) === id);
  const saved = useConsole((s) => settingsSelectors.savedSection(s) === id);
  const error = useConsole((s) => {
    const e = settingsSelectors.configError(s);
    return e?.section === id ? e.message : null;
  });
  const headingId = `settings-${id}`;
  // The navigation marks the page while this form holds edits not saved yet.
  const store = useConsoleStore();
  useEffect(() => {
    store.getState().markUnsaved(id, dirty);
  }, [store, id, dirty]);
  useEffect(() => () => store.getState().markUnsaved(id, false), [store, id]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSave();
  };

  return (
    <section className="settings-card" aria-labelledby={headingId}>
      <form onSubmit={submit} noValidate>
        <header className="settings-card-head">
          <h2 id={headingId} className="settings-card-title">
            {title}
          </h2>
          {description ? <p className="settings-card-desc">{description}</p> : null}
        </header>
        <div className="settings-card-body">{children}</div>
        <footer className="settings-card-foot">
          <div role="status" className="settings-outcome">
            {error ? <span className="text-bad">{error}</span> : null}
            {saved && !dirty && !error ? <span className="text-good">Saved.</span> : null}
            {dirty && !error ? <span className="muted">Unsaved changes</span> : null}
          </div>
          {dirty ? (
            <button type="button" className="button button-quiet" onClick={onReset}>
              Discard
            </button>
          ) : null}
          <button type="submit" className="button button-primary" disabled={saving || !dirty}>
            {saving ? 'Saving…' : `Save ${title.toLowerCase()}`}
          </button>
        </footer>
      </form>
    </section>
  );
}
