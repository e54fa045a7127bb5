// A directory user's new password, shown to the admin once with a copy button, then forgotten.
import { directorySelectors, useConsole, useConsoleStore } from '../../../store';
import { CopyButton } from '../../../ui/CopyButton';
import { Dialog } from '../../../ui/Dialog';

export function UserPasswordDialog() {
  const store = useConsoleStore();
  const shown = useConsole(directorySelectors.userPassword);
  if (!shown) return null;
  const close = () => store.getState().dismissUserPassword();
  return (
    <Dialog title={`Password for ${shown.username}`} onClose={close}>
      <p>
        {shown.reason === 'added' ? 'User added.' : 'Password reset.'} Give it to{' '}
        <strong className="mono">{shown.username}</strong> through a safe channel.
      </p>
      <p className="one-time-password mono" aria-label={`Password for ${shown.username}`}>
        {shown.password}
      </p>
      <p className="notice notice-warn">It will not be shown again.</p>
      <div className="dialog-actions">
        <CopyButton key={shown.password} text={shown.password} />
        <button type="button" className="button button-primary" onClick={close}>
          Done, hide it
        </button>
      </div>
    </Dialog>
  );
}
