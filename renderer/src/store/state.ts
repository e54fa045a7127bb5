// The console store's shape: the union of its slices' states, and what a slice creator is.
import type { StateCreator } from 'zustand';
import type { ApprovalSlice } from './approval-state';
import type { AuditSlice } from './audit-state';
import type { ConnectionSlice } from './connection-state';
import type { DirectorySlice } from './directory-state';
import type { HistorySlice } from './history-state';
import type { MailSlice } from './mail-state';
import type { QueueSlice } from './queue-state';
import type { RequestSlice } from './request-state';
import type { SessionSlice } from './session-state';
import type { SettingsSlice } from './settings-state';

export type ConsoleState = ConnectionSlice &
  SessionSlice &
  QueueSlice &
  RequestSlice &
  SettingsSlice &
  DirectorySlice &
  MailSlice &
  ApprovalSlice &
  HistorySlice &
  AuditSlice;

export type SliceCreator<T> = StateCreator<ConsoleState, [], [], T>;
