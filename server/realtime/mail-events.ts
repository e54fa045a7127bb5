// Agent events about the realm's mail: its SMTP settings, a test mail and the outbox's status
// (admins; the namespace checks the role before these run).
import type { RealmMail } from '../mail/mail-settings';
import type { OnAgentEvent } from './agent-handler';

export function mailEvents(on: OnAgentEvent, mail: RealmMail): void {
  on('mail:status', () => mail.status());
  on('mail:configure', (input, agent) => mail.configure(input, `agent:${agent.username}`));
  on('mail:test', (input, agent) => mail.test(input, `agent:${agent.username}`));
}
