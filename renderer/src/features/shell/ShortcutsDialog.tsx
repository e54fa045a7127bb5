// The "?" dialog: every keyboard shortcut of the console, the queue list's own keys included.
import { Dialog } from '../../ui/Dialog';
import { SHORTCUTS } from './shortcuts';

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" role="dialog" onClose={onClose}>
      <table className="shortcuts">
        <caption className="visually-hidden">
          Keys, what they do and where; none of them act while you type in a field.
        </caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Does</th>
            <th scope="col">Where</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.keys.join()}>
              <th scope="row">
                {shortcut.keys.map((key, index) => (
                  <span key={key}>
                    {index > 0 ? ' ' : null}
                    <kbd>{key}</kbd>
                  </span>
                ))}
              </th>
              <td>{shortcut.does}</td>
              <td>{shortcut.where}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="field-hint">None of them act while you type in a field.</p>
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
