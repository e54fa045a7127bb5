// The new-request chime, on or off for this agent (off until they turn it on; remembered here).
import { sessionSelectors, useConsole, useConsoleStore } from '../../store';

export function SoundToggle() {
  const store = useConsoleStore();
  const on = useConsole(sessionSelectors.soundOnNewRequest);
  return (
    <button
      type="button"
      className="button button-quiet sound-toggle"
      aria-pressed={on}
      title={on ? 'A chime plays when a request arrives on your desks' : 'No chime on new requests'}
      onClick={() => store.getState().setSoundOnNewRequest(!on)}
    >
      <SpeakerIcon on={on} />
      Sound
    </button>
  );
}

/** A speaker with sound waves, or struck through: drawn, so it needs no icon font or file. */
function SpeakerIcon({ on }: { on: boolean }) {
  return (
    <svg
      className="sound-toggle-icon"
      viewBox="0 0 16 16"
      width="16"
      height="16"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M2 6h3l4-3v10l-4-3H2z" fill="currentColor" />
      {on ? (
        <path
          d="M11 5.5a3.5 3.5 0 0 1 0 5M12.8 3.5a6 6 0 0 1 0 9"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.4"
          strokeLinecap="round"
        />
      ) : (
        <path
          d="M11 6l4 4M15 6l-4 4"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.4"
          strokeLinecap="round"
        />
      )}
    </svg>
  );
}
