// The directory CSV: import rows checked one by one with their line and column; exports safe in a spreadsheet.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { DirectoryUserView } from '../../../server/contract/directory';
import { DIRECTORY_CSV_COLUMNS } from '../../../server/contract/directory';
import { formatUserCsv, guardCell, parseUserCsv } from '../../../server/directory/user-csv';

const US = { phoneCountry: 'US' };
const HEADER = DIRECTORY_CSV_COLUMNS.join(',');

const jane: DirectoryUserView = {
  username: 'jane',
  displayName: 'Jane Doe',
  email: 'jane@example.com',
  phone: '+14155550123',
  employeeId: 'E1',
  department: 'Finance',
  manager: 'boss',
  enabled: true,
  privileged: false,
};

describe('parseUserCsv', () => {
  it('reads every column, normalising the username and the phone', async () => {
    const csv = `${HEADER}\n Jane ,Jane Doe,jane@example.com,(415) 555-0123,E1,Finance,boss,yes,no,\n`;
    const { rows, errors, rowCount } = await parseUserCsv(csv, US);
    expect(errors).toEqual([]);
    expect(rowCount).toBe(1);
    expect(rows).toEqual([{ line: 2, user: jane, password: { kind: 'keep' } }]);
  });

  it('reads columns by name in any case and order, with a BOM, ; as delimiter and columns left out', async () => {
    const csv = '\uFEFFDISPLAYNAME;UserName;Privileged\r\nJane Doe;jane;1\r\n';
    const { rows, errors } = await parseUserCsv(csv, US);
    expect(errors).toEqual([]);
    expect(rows[0]?.user).toEqual({
      ...jane,
      email: '',
      phone: '',
      employeeId: '',
      department: '',
      manager: '',
      privileged: true,
    });
  });

  it.each([
    ['true', true],
    ['YES', true],
    ['1', true],
    ['false', false],
    ['no', false],
    ['0', false],
    ['', true],
  ])('reads enabled %j as %s (empty: enabled)', async (cell, enabled) => {
    const { rows } = await parseUserCsv(`username,displayName,enabled\njane,Jane,${cell}\n`, US);
    expect(rows[0]?.user.enabled).toBe(enabled);
  });

  it('reads the password column: empty keeps, "generate" generates, anything else is the password', async () => {
    const csv = [
      'username,displayName,password',
      'a,A,',
      'b,B,generate',
      'c,C,GENERATE',
      'd,D,a long enough password',
    ].join('\n');
    const { rows, errors } = await parseUserCsv(csv, US);
    expect(errors).toEqual([]);
    expect(rows.map((r) => r.password)).toEqual([
      { kind: 'keep' },
      { kind: 'generate' },
      { kind: 'generate' },
      { kind: 'set', password: 'a long enough password' },
    ]);
  });

  it('reports each bad cell with its line (header = 1) and column, and returns only good rows', async () => {
    const csv = [
      'username,displayName,email,phone,enabled,password',
      'good,Good,,,,',
      'bad user,,not-an-email,555,maybe,short',
      'also.good,Also Good,,,,',
    ].join('\n');
    const { rows, errors, rowCount } = await parseUserCsv(csv, US);
    expect(rowCount).toBe(3);
    expect(rows.map((r) => r.user.username)).toEqual(['good', 'also.good']);
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [3, 'enabled'],
      [3, 'username'],
      [3, 'displayName'],
      [3, 'email'],
      [3, 'password'],
    ]);
    expect(errors.find((e) => e.column === 'password')?.message).toMatch(/12 characters/);
  });

  it('checks the phone of a row that is otherwise valid', async () => {
    const { errors } = await parseUserCsv('username,displayName,phone\njane,Jane,555\n', US);
    expect(errors).toEqual([
      { line: 2, column: 'phone', message: expect.stringMatching(/Not a valid phone number/) },
    ]);
  });

  it('refuses a username that appears twice (after normalisation), naming the first line', async () => {
    const csv = 'username,displayName\njane,Jane\nbob,Bob\nJANE,Jane Again\n';
    const { errors } = await parseUserCsv(csv, US);
    expect(errors).toEqual([
      { line: 4, column: 'username', message: expect.stringContaining('line 2') },
    ]);
  });

  it('counts lines as the file has them: blank lines and quoted line breaks included', async () => {
    const csv = 'username,displayName,department\n\njane,"Jane\nDoe",x\nbad user,B,y\n';
    const { errors, rows } = await parseUserCsv(csv, US);
    expect(rows[0]?.line).toBe(3);
    expect(errors).toEqual([expect.objectContaining({ line: 5, column: 'username' })]);
  });

  it('names unknown columns, and asks for the required ones', async () => {
    const unknown = await parseUserCsv(
      'username,displayName,colour,shoe size\njane,Jane,red,9\n',
      US,
    );
    expect(unknown.rows).toEqual([]);
    expect(unknown.errors).toEqual([
      { line: 1, column: null, message: expect.stringMatching(/"colour", "shoe size"/) },
    ]);
    const missing = await parseUserCsv('email\njane@example.com\n', US);
    expect(missing.errors[0]?.message).toMatch(/must name the column username/);
  });

  it('lets an existing user keep what the file has no column for; a new user needs a name', async () => {
    const stored = { ...jane, privileged: true, enabled: false };
    const existing = (username: string) => (username === 'jane' ? stored : undefined);
    const csv = 'username,department,email\nJANE,Legal,\nnewbie,Sales,new@example.com\n';
    const { rows, errors } = await parseUserCsv(csv, { ...US, existing });
    expect(rows).toEqual([
      { line: 2, user: { ...stored, department: 'Legal', email: '' }, password: { kind: 'keep' } },
    ]);
    expect(errors).toEqual([{ line: 3, column: 'displayName', message: 'Enter a name' }]);
  });

  it('refuses a row with more or fewer cells than the header', async () => {
    const { errors } = await parseUserCsv('username,displayName\njane,Jane,extra\n', US);
    expect(errors).toEqual([
      { line: 2, column: null, message: 'Expected 2 cells as in the header row, found 3' },
    ]);
  });

  it('refuses a file that is not CSV, an empty file and one without users', async () => {
    expect(
      (await parseUserCsv('username,displayName\njane,"Jane\n', US)).errors[0]?.message,
    ).toMatch(/not valid CSV/);
    expect((await parseUserCsv('', US)).errors[0]).toMatchObject({ line: 1, message: /empty/ });
    expect((await parseUserCsv('username,displayName\n', US)).errors[0]?.message).toMatch(
      /no users/,
    );
  });

  it('lists at most 500 errors and sums up the rest', async () => {
    const lines = Array.from({ length: 700 }, (_, i) => `user${i},`);
    const { errors } = await parseUserCsv(`username,displayName\n${lines.join('\n')}\n`, US);
    expect(errors).toHaveLength(501);
    expect(errors[500]).toEqual({
      line: 502,
      column: null,
      message: expect.stringMatching(/200 more errors/),
    });
  });
});

describe('formatUserCsv', () => {
  it('writes the import columns, never a password, and reads back to the same users', async () => {
    const users = [jane, { ...jane, username: 'zed', enabled: false, privileged: true }];
    const csv = formatUserCsv(users);
    expect(csv.split('\n')[0]).toBe(HEADER);
    const records = parse(csv, { columns: true }) as Record<string, string>[];
    expect(records.map((r) => r.password)).toEqual(['', '']);
    const back = await parseUserCsv(csv, US);
    expect(back.errors).toEqual([]);
    expect(back.rows.map((r) => r.user)).toEqual(users);
  });

  it('guards cells a spreadsheet would run as formulas, and keeps E.164 phones as they are', async () => {
    const hostile = {
      ...jane,
      username: '-jane',
      displayName: '=HYPERLINK("http://evil.example","click")',
      department: '+1+2',
      manager: '@SUM(A1)',
      employeeId: '\tE1',
    };
    const csv = formatUserCsv([hostile]);
    const [record] = parse(csv, { columns: true }) as Record<string, string>[];
    expect(record).toMatchObject({
      username: "'-jane",
      displayName: `'=HYPERLINK("http://evil.example","click")`,
      department: "'+1+2",
      manager: "'@SUM(A1)",
      employeeId: "'\tE1",
      phone: '+14155550123',
    });
    // The guard comes off on import, so the round trip is exact.
    expect((await parseUserCsv(csv, US)).rows[0]?.user).toMatchObject({
      username: '-jane',
      displayName: hostile.displayName,
      department: '+1+2',
    });
  });

  it('guards a phone that is not E.164 like any other cell', async () => {
    expect(guardCell('+SUM(1)', 'phone')).toBe("'+SUM(1)");
    expect(guardCell('\rx', 'email')).toBe("'\rx");
    expect(guardCell('plain', 'displayName')).toBe('plain');
  });
});

describe('a long file', () => {
  it('is checked in turns, so timers and sockets still run while it is read', async () => {
    const lines = Array.from({ length: 5_000 }, (_, i) => `user${i},User ${i}`);
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 0);
    try {
      const { rows } = await parseUserCsv(`username,displayName\n${lines.join('\n')}\n`, US);
      expect(rows).toHaveLength(5_000);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(1);
  });

  it('keeps a character outside the BMP whole where the file is cut into 64 KiB pieces', async () => {
    let text = 'username,displayName\n';
    for (let i = 0; text.length < 65_536 - 100; i++) text += `u${i},User ${i}\n`;
    const prefix = 'straddle,';
    // The emoji's first UTF-16 unit is the last of the first piece.
    const name = `${'a'.repeat(65_535 - text.length - prefix.length)}😀 b`;
    text += `${prefix}${name}\n`;
    expect(text.charCodeAt(65_535)).toBe('😀'.charCodeAt(0));
    const { rows, errors } = await parseUserCsv(text, US);
    expect(errors).toEqual([]);
    expect(rows.at(-1)?.user).toMatchObject({ username: 'straddle', displayName: name });
  });
});
