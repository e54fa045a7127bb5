// Phone numbers of the embedded directory: whatever people type, stored in E.164 or refused with a reason.
import { describe, expect, it } from 'vitest';
import { isE164, normalisePhone } from '../../../server/directory/phone';

describe('normalisePhone', () => {
  it.each([
    ['(415) 555-0123', 'US', '+14155550123'],
    ['415.555.0123', 'US', '+14155550123'],
    ['  415 555 0123  ', 'US', '+14155550123'],
    ['020 7946 0000', 'GB', '+442079460000'],
    ['011 44 20 7946 0000', 'US', '+442079460000'],
  ])('reads the local number %s with the default country %s', (raw, country, e164) => {
    expect(normalisePhone(raw, country)).toEqual({ ok: true, phone: e164 });
  });

  it('keeps an international number in its own country whatever the default', () => {
    expect(normalisePhone('+44 20 7946 0000', 'US')).toEqual({ ok: true, phone: '+442079460000' });
    expect(normalisePhone('+14155550123', 'GB')).toEqual({ ok: true, phone: '+14155550123' });
  });

  it('leaves an empty phone empty', () => {
    expect(normalisePhone('', 'US')).toEqual({ ok: true, phone: '' });
    expect(normalisePhone('   ', 'US')).toEqual({ ok: true, phone: '' });
  });

  it('refuses text that is no number, naming the default country and the international form', () => {
    const result = normalisePhone('call me maybe', 'US');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/US number.*\+44 20 7946 0000/);
  });

  it.each([
    ['555-1234', 'US'],
    ['12', 'US'],
    ['+1 212 111 1111', 'US'],
  ])('refuses %s, which is not a valid number', (raw, country) => {
    const result = normalisePhone(raw, country);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/Not a valid/);
  });

  it('refuses an extension rather than dropping it silently', () => {
    const result = normalisePhone('+1 415 555 0123 ext. 5', 'US');
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/extension/) });
  });

  it('without a usable default country accepts only international numbers', () => {
    expect(normalisePhone('+442079460000', 'ZZ')).toEqual({ ok: true, phone: '+442079460000' });
    const local = normalisePhone('(415) 555-0123', 'ZZ');
    expect(local.ok).toBe(false);
    if (!local.ok) expect(local.message).toMatch(/country code/);
  });
});

describe('isE164', () => {
  it('knows a stored number from a formula or free text', () => {
    expect(isE164('+14155550123')).toBe(true);
    expect(isE164('+1+1')).toBe(false);
    expect(isE164('+SUM(A1)')).toBe(false);
    expect(isE164('4155550123')).toBe(false);
  });
});
