// Agents' authenticator apps (RFC 6238 TOTP): who must have one, enrolment, and codes that work once.
import { generateSecret, generateURI, verifySync } from 'otplib';
import QRCode from 'qrcode';
import type { TotpEnrolment } from '../contract/agent-events';
import { ServiceError } from '../errors';
import type { AgentRecord, Repositories } from '../store/repositories';

/** The issuer an authenticator app shows beside the account name. */
const TOTP_ISSUER = 'Help Desk OTP';
/** Seconds of clock drift accepted either way (one 30-second step). */
const TOTP_EPOCH_TOLERANCE = 30;

export type EnrolmentListener = (agent: AgentRecord) => void;

export class Authenticator {
  private readonly enrolmentListeners = new Set<EnrolmentListener>();

  constructor(
    private readonly repos: Pick<Repositories, 'agents' | 'realm' | 'audit'>,
    private readonly now: () => number,
  ) {}

  onEnrolled(listener: EnrolmentListener): () => void {
    this.enrolmentListeners.add(listener);
    return () => this.enrolmentListeners.delete(listener);
  }

  /** Does the realm's `agentTotp` rule require an authenticator of this agent? */
  required(agent: AgentRecord): boolean {
    const rule = this.repos.realm.config.agentTotp;
    return rule === 'everyone' || (rule === 'admins' && agent.role === 'admin');
  }

  /** Required but not enrolled: the agent's sessions may do nothing but enrol. */
  mustEnrol(agent: AgentRecord): boolean {
    return this.required(agent) && agent.totpSecret === undefined;
  }

  /** Checks a sign-in code against the agent's enrolled app; a good code is used up. */
  acceptSignInCode(agent: AgentRecord, code: string): Promise<boolean> {
    return this.acceptCode(agent.id, (current) => current.totpSecret, code);
  }

  /**
   * Starts enrolling an authenticator app: a fresh secret, kept pending on the agent's record
   * (replacing any earlier unconfirmed one) until `confirm` proves the app has it.
   */
  async begin(agent: AgentRecord): Promise<TotpEnrolment> {
    if (agent.totpSecret)
      throw new ServiceError(
        'conflict',
        'An authenticator app is already enrolled; ask an admin to reset it to enrol another.',
      );
    const secret = generateSecret();
    const otpauthUri = generateURI({ issuer: TOTP_ISSUER, label: agent.username, secret });
    const qrDataUrl = await QRCode.toDataURL(otpauthUri, { errorCorrectionLevel: 'M', margin: 2 });
    const [pending] = await Promise.all([
      this.repos.agents.update(agent.id, (current) => ({
        ...current,
        pendingTotpSecret: secret,
        updatedAt: this.now(),
      })),
      this.repos.audit.record({
        actor: `agent:${agent.username}`,
        action: 'agent.totp-enrolment-started',
        details: {},
      }),
    ]);
    if (!pending) throw new ServiceError('not-found', 'No such agent.');
    return { secret, otpauthUri, qrDataUrl };
  }

  /** Finishes enrolment with a current code from the app: from now on sign-in needs a code. */
  async confirm(agent: AgentRecord, code: string): Promise<{ enrolled: true }> {
    if (agent.totpSecret)
      throw new ServiceError('conflict', 'An authenticator app is already enrolled.');
    const pending = agent.pendingTotpSecret;
    if (!pending)
      throw new ServiceError('invalid-state', 'Start enrolment first: no code is expected yet.');
    const accepted = await this.acceptCode(
      agent.id,
      () => pending,
      code,
      (draft) => {
        const { pendingTotpSecret: _confirmed, ...rest } = draft;
        return { ...rest, totpSecret: pending };
      },
    );
    if (!accepted) {
      await this.repos.audit.record({
        actor: `agent:${agent.username}`,
        action: 'agent.totp-confirm-failed',
        details: {},
      });
      throw new ServiceError(
        'bad-request',
        'That code does not match; check the app shows "Help Desk OTP" and try the current code.',
        { code: 'Not the current code' },
      );
    }
    await this.repos.audit.record({
      actor: `agent:${agent.username}`,
      action: 'agent.totp-enrolled',
      details: {},
    });
    const enrolled = this.repos.agents.byId(agent.id);
    if (enrolled) for (const listener of this.enrolmentListeners) listener(enrolled);
    return { enrolled: true };
  }

  /**
   * Checks a code against a secret of the agent's current record and, when it is good, records its
   * time step in the same atomic change, so the same code cannot be used again, here or in a
   * parallel call.
   */
  private async acceptCode(
    agentId: string,
    secretOf: (current: AgentRecord) => string | undefined,
    code: string,
    extra: (draft: AgentRecord) => AgentRecord = (draft) => draft,
  ): Promise<boolean> {
    const written = await this.repos.agents.update(agentId, (current) => {
      const secret = secretOf(current);
      if (!secret) return undefined;
      const result = verifySync({
        secret,
        token: code,
        epoch: Math.floor(this.now() / 1000),
        epochTolerance: TOTP_EPOCH_TOLERANCE,
        ...(current.totpLastTimeStep !== undefined
          ? { afterTimeStep: current.totpLastTimeStep }
          : {}),
      });
      // A TOTP result carries the time step it matched (an HOTP one would not).
      if (!result.valid || !('timeStep' in result)) return undefined;
      return extra({ ...current, totpLastTimeStep: result.timeStep, updatedAt: this.now() });
    });
    return written !== undefined;
  }
}
