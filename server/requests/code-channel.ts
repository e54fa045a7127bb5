// How a verification code reaches the contact on file. Mail is the one channel built; an SMS
// provider would be a second implementation (reading the directory's phone) behind a check kind
// of its own, with nothing in the request service to change.
import type { RealmConfig } from '../contract/realm-config';
import type { DirectoryProfile } from '../directory/directory';
import type { HelpRequest } from '../domain/help-request';

export interface CodeChannel {
  /** How agents are told of it: the channel ("mail") and the contact it needs ("email address"). */
  readonly name: string;
  readonly contact: string;
  /** Why no code can be sent this way now (the channel is off), or undefined. */
  unavailable(realm: RealmConfig): string | undefined;
  /** The contact on file this channel sends to; '' when the directory has none. */
  contactOf(profile: DirectoryProfile): string;
  /** Hands the code over for delivery, durably; resolves once it will be delivered. Never logs it. */
  deliver(input: {
    to: string;
    code: string;
    request: HelpRequest;
    realm: RealmConfig;
  }): Promise<void>;
}
