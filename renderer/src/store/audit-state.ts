// The shape of the audit slice: the admins' audit log as they filter and page through it, and the
// hash chain's last check.
import type { AuditEntryView, AuditVerifyResult } from '../../../server/contract/history';
import type { ListStatus } from './history-state';

export const AUDIT_PAGE_SIZE = 50;

/** The Audit form as typed; dates as `YYYY-MM-DD` in the admin's time zone. */
export interface AuditFilters {
  /** `agent:alice`, `user:jsmith`, `system`, or a start of one. */
  actor: string;
  /** An action or its start (`request.`). */
  action: string;
  /** A request's id or reference code. */
  request: string;
  fromDay: string;
  toDay: string;
}

export const NO_AUDIT_FILTERS: AuditFilters = {
  actor: '',
  action: '',
  request: '',
  fromDay: '',
  toDay: '',
};

export type AuditVerifyState =
  | { step: 'idle' }
  | { step: 'running' }
  | { step: 'done'; result: AuditVerifyResult; at: number }
  | { step: 'failed'; message: string };

export interface AuditSlice {
  /** The filters of the entries shown (not the form's unsent edits). */
  auditFilters: AuditFilters;
  auditEntries: AuditEntryView[];
  auditTotal: number;
  auditOffset: number;
  auditStatus: ListStatus;
  auditError: string | null;
  auditVerify: AuditVerifyState;

  /** One page of entries matching `filters`, newest first. */
  searchAudit(filters: AuditFilters, offset?: number): Promise<void>;
  /** Checks the whole hash chain, as `npm run audit:verify` does. */
  verifyAudit(): Promise<void>;
}
