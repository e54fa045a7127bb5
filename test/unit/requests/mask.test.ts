import { describe, expect, it } from 'vitest';
import { MASKABLE_FIELDS } from '../../../server/contract/realm-config';
import type { DirectoryDetails } from '../../../server/contract/request-view';
import { maskDirectoryDetails, maskValue } from '../../../server/requests/mask';

const details: DirectoryDetails = {
  displayName: 'Jane Smith',
  email: 'jane.smith@example.com',
  phone: '+14155550123',
  employeeId: 'E-104223',
  department: 'Finance',
  manager: 'Robert Boss',
  enabled: true,
  privileged: false,
};

describe('maskValue', () => {
  it('keeps the last two characters of an employee ID or phone number', () => {
    expect(maskValue('employeeId', 'E-104223')).toBe('••••••23');
    expect(maskValue('phone', '+14155550123')).toBe('••••••23');
  });

  it('shows the same number of dots whatever the length, so the length does not leak', () => {
    expect(maskValue('employeeId', '123456')).toBe('••••••56');
    expect(maskValue('employeeId', '1234567890123')).toBe('••••••23');
  });

  it('hides a value too short to keep a tail of entirely', () => {
    expect(maskValue('employeeId', 'E1')).toBe('••••••');
    expect(maskValue('phone', '12345')).toBe('••••••');
  });

  it('keeps the first character and the domain of an email address', () => {
    expect(maskValue('email', 'jane.smith@example.com')).toBe('j•••@example.com');
    expect(maskValue('email', 'j@example.com')).toBe('j•••@example.com');
    expect(maskValue('email', '"a@b"@example.com')).toBe('"•••@example.com');
  });

  it('hides an email that is not an address whole', () => {
    expect(maskValue('email', 'not-an-address')).toBe('•••');
    expect(maskValue('email', '@example.com')).toBe('•••');
  });

  it('hides department and manager whole', () => {
    expect(maskValue('department', 'Finance')).toBe('•••');
    expect(maskValue('manager', 'Robert Boss')).toBe('•••');
  });

  it('leaves an empty value empty: nothing on file is nothing to hide', () => {
    for (const field of MASKABLE_FIELDS) expect(maskValue(field, '')).toBe('');
  });

  it('counts characters, not UTF-16 units', () => {
    expect(maskValue('employeeId', 'ÅØ-12-😀😀')).toBe('••••••😀😀');
    expect(maskValue('email', '😀x@example.com')).toBe('😀•••@example.com');
  });
});

describe('maskDirectoryDetails', () => {
  it('masks exactly the fields named and leaves the rest as they are', () => {
    expect(maskDirectoryDetails(details, ['employeeId', 'email'])).toEqual({
      ...details,
      employeeId: '••••••23',
      email: 'j•••@example.com',
    });
  });

  it('changes nothing when no field is named, and never the input', () => {
    const before = structuredClone(details);
    expect(maskDirectoryDetails(details, [])).toEqual(details);
    maskDirectoryDetails(details, [...MASKABLE_FIELDS]);
    expect(details).toEqual(before);
  });

  it('masks every maskable field, and a field named twice once', () => {
    expect(maskDirectoryDetails(details, [...MASKABLE_FIELDS, 'phone'])).toEqual({
      displayName: 'Jane Smith',
      email: 'j•••@example.com',
      phone: '••••••23',
      employeeId: '••••••23',
      department: '•••',
      manager: '•••',
      enabled: true,
      privileged: false,
    });
  });
});
