// A password the server keeps and never sends back (LDAP bind, SMTP): never prefilled; left empty
// it keeps the saved one; a box removes it. `useSavedSecret` holds what was typed and what to send.
import { useState } from 'react';
import { TextField } from './Field';

export interface SavedSecret {
  typed: string;
  remove: boolean;
  /** What to send: undefined keeps the saved secret, '' removes it, anything else replaces it. */
  toSend: string | undefined;
  dirty: boolean;
  type(value: string): void;
  setRemove(remove: boolean): void;
  reset(): void;
}

export function useSavedSecret(): SavedSecret {
  const [typed, setTyped] = useState('');
  const [remove, setRemove] = useState(false);
  return {
    typed,
    remove,
    toSend: remove ? '' : typed || undefined,
    dirty: typed !== '' || remove,
    type(value) {
      setTyped(value);
      if (value) setRemove(false);
    },
    setRemove,
    reset() {
      setTyped('');
      setRemove(false);
    },
  };
}

export function SavedSecretField(props: {
  id: string;
  label: string;
  secret: SavedSecret;
  /** Whether the server holds one now. */
  saved: boolean;
  error: string | undefined;
}) {
  const { secret } = props;
  return (
    <div className="field-stack">
      <TextField
        label={props.label}
        type="password"
        value={secret.typed}
        autoComplete="new-password"
        error={props.error}
        hint={
          props.saved
            ? 'Saved — leave empty to keep it.'
            : 'Not saved yet. Kept with the server’s keys; never shown again.'
        }
        onChange={(e) => secret.type(e.target.value)}
      />
      {props.saved ? (
        <div className="field field-check">
          <input
            id={`${props.id}-remove-password`}
            type="checkbox"
            checked={secret.remove}
            disabled={secret.typed !== ''}
            onChange={(e) => secret.setRemove(e.target.checked)}
          />
          <label htmlFor={`${props.id}-remove-password`}>Remove the saved password</label>
        </div>
      ) : null}
    </div>
  );
}
