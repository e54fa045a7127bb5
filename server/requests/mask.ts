// Masks directory fields the verification policy names, so an agent compares what a caller says
// with what is on file instead of reading the answer out to them.
import type { MaskableField } from '../contract/realm-config';
import type { DirectoryDetails } from '../contract/request-view';

const MASK = '•';

/** Always the same number of dots, so a masked value does not tell its length. */
const HIDDEN_RUN = MASK.repeat(6);
const SHORT_RUN = MASK.repeat(3);
/** Reveal a tail only when at least this many characters stay hidden. */
const MIN_HIDDEN = 4;
const KEPT_TAIL = 2;

/**
 * One field's value, masked: employee ID and phone keep their last two characters
 * (`••••••23`), an email its first character and domain (`j•••@example.com`), department and
 * manager nothing (`•••`). An empty value stays empty (there is nothing on file to protect),
 * and a value too short to keep a tail of is hidden whole.
 */
export function maskValue(field: MaskableField, value: string): string {
  if (value === '') return '';
  switch (field) {
    case 'employeeId':
    case 'phone': {
      const chars = [...value];
      if (chars.length < MIN_HIDDEN + KEPT_TAIL) return HIDDEN_RUN;
      return HIDDEN_RUN + chars.slice(-KEPT_TAIL).join('');
    }
    case 'email': {
      const at = value.lastIndexOf('@');
      if (at < 1) return SHORT_RUN;
      const first = [...value.slice(0, at)][0] ?? '';
      return `${first}${SHORT_RUN}${value.slice(at)}`;
    }
    case 'department':
    case 'manager':
      return SHORT_RUN;
  }
}

/** The details with every field in `maskedFields` masked; the rest unchanged. */
export function maskDirectoryDetails(
  details: DirectoryDetails,
  maskedFields: readonly MaskableField[],
): DirectoryDetails {
  const masked = { ...details };
  for (const field of new Set(maskedFields)) masked[field] = maskValue(field, details[field]);
  return masked;
}
