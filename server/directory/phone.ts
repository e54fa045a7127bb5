// Phone numbers of the embedded directory, stored in E.164: local formats read with the realm's country.
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';

export type PhoneNormalisation = { ok: true; phone: string } | { ok: false; message: string };

/** An example number of the form people type, for messages. */
const INTERNATIONAL_EXAMPLE = '+44 20 7946 0000';

/**
 * `raw` as E.164 (`(415) 555-0123` with `US` → `+14155550123`). A number with a `+` (or an
 * international prefix such as `011` from the default country) keeps its own country; '' stays ''.
 */
export function normalisePhone(raw: string, defaultCountry: string): PhoneNormalisation {
  const text = raw.trim();
  if (text === '') return { ok: true, phone: '' };
  const country = defaultCountry.toUpperCase();
  const known = isSupportedCountry(country);
  const parsed = known
    ? parsePhoneNumberFromString(text, { defaultCountry: country, extract: false })
    : parsePhoneNumberFromString(text, { extract: false });
  const expected = known
    ? `a ${country} number, or one with its country code, e.g. ${INTERNATIONAL_EXAMPLE}`
    : `a number with its country code, e.g. ${INTERNATIONAL_EXAMPLE}`;
  if (!parsed) return { ok: false, message: `Not a phone number: enter ${expected}` };
  if (parsed.ext)
    return {
      ok: false,
      message: 'Leave out the extension: only the number itself is stored (E.164)',
    };
  if (!parsed.isValid())
    return {
      ok: false,
      message: text.startsWith('+')
        ? `Not a valid number for country code +${parsed.countryCallingCode}`
        : `Not a valid phone number: enter ${expected}`,
    };
  return { ok: true, phone: parsed.number };
}

/** Is this already a stored (E.164) phone number? */
export function isE164(value: string): boolean {
  return /^\+[1-9]\d{6,14}$/.test(value);
}
