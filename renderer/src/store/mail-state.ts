// The shape of the mail slice (admins): the outbox's state, the test mail, the blocks on users'
// help-desk method, and the alerts raised live while the console is open.
import type {
  AdminAlert,
  MailConfigure,
  MailTest,
  MailTestResult,
  MailStatus,
  MethodBlockView,
} from '../../../server/contract/mail';
import type { SaveOutcome } from './settings-state';

export type MailTestState =
  | { step: 'idle' }
  | { step: 'running'; to: string }
  | { step: 'done'; to: string; result: MailTestResult }
  /** The server refused to try (bad settings, not allowed); `fields` by dotted path. */
  | { step: 'refused'; message: string; fields: Record<string, string> };

export type BlockOutcome =
  { ok: true } | { ok: false; message: string; fields: Record<string, string> };

export interface MailSlice {
  /** As the server last said (answer or push); null until asked. */
  mailStatus: MailStatus | null;
  mailTest: MailTestState;
  blocks: MethodBlockView[];
  blocksStatus: 'idle' | 'loading' | 'ready' | 'error';
  blocksError: string | null;
  /** Raised while this console was open, newest first, until dismissed. */
  alerts: AdminAlert[];

  loadMailStatus(): Promise<void>;
  applyMailStatus(status: MailStatus): void;
  /** Saves the SMTP settings (Settings' save state and field errors under `settings.…`). */
  saveMail(input: MailConfigure): Promise<SaveOutcome>;
  testMail(input: MailTest): Promise<void>;
  clearMailTest(): void;
  loadBlocks(): Promise<void>;
  clearBlock(username: string, reason: string): Promise<BlockOutcome>;
  /** A pushed alert: shown at the top, and the blocks list refreshed if it is loaded. */
  raiseAlert(alert: AdminAlert): void;
  dismissAlert(id: string): void;
}
