// Specification of the JSONL journal: fast open, torn-write repair, ordered durable appends, line-exact errors.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { describe, expect, it, onTestFinished } from 'vitest';
import { StorageError } from '../../../../server/store/embedded/errors';
import { openJournal, readJournal } from '../../../../server/store/embedded/journal';
import type { Journal } from '../../../../server/store/embedded/journal';

const EventSchema = z.object({ n: z.number().int(), note: z.string().optional() });
type Event = z.infer<typeof EventSchema>;

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hdotp-'));
  onTestFinished(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function open(file: string, warnings: string[] = []): Promise<Journal<Event>> {
  const journal = await openJournal(file, EventSchema, {
    warn: (message) => warnings.push(message),
  });
  onTestFinished(() => journal.close());
  return journal;
}

async function readAll(file: string): Promise<Array<{ line: number; record: Event }>> {
  const rows: Array<{ line: number; record: Event }> = [];
  for await (const row of readJournal(file, EventSchema)) rows.push(row);
  return rows;
}

async function caught(promise: Promise<unknown>): Promise<StorageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  return error as StorageError;
}

const lines = (...records: Event[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');

describe('openJournal', () => {
  it('creates a missing journal, empty', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    const journal = await open(file);
    expect(journal.count).toBe(0);
    expect(journal.last).toBeUndefined();
    expect(await fs.readFile(file, 'utf8')).toBe('');
  });

  it('reports the count and last record of what earlier runs appended', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    const first = await open(file);
    await first.append([{ n: 1 }, { n: 2 }]);
    await first.append({ n: 3, note: 'last' });
    await first.close();
    const reopened = await open(file);
    expect(reopened.count).toBe(3);
    expect(reopened.last).toEqual({ n: 3, note: 'last' });
  });

  it('cuts off a torn final line, keeps the good lines and warns once naming the file', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    const good = lines({ n: 1 }, { n: 2 });
    await fs.writeFile(file, `${good}{"n":3,"no`);
    const warnings: string[] = [];
    const journal = await open(file, warnings);
    expect(journal.count).toBe(2);
    expect(journal.last).toEqual({ n: 2 });
    expect(await fs.readFile(file, 'utf8')).toBe(good);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    expect(warnings[0]).toContain('10 bytes');
    await journal.append({ n: 3 });
    expect((await readAll(file)).map((row) => row.record.n)).toEqual([1, 2, 3]);
  });

  it('keeps the bytes of a torn final line aside, named for their byte range', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'events.jsonl');
    const good = lines({ n: 1 });
    await fs.writeFile(file, `${good}{"n":2,"no`);
    const warnings: string[] = [];
    await open(file, warnings);
    const range = `${good.length}-${good.length + 10}`;
    expect(warnings[0]).toContain(`bytes ${range}`);
    const aside = path.join(dir, 'torn', `events.jsonl.${range}`);
    expect(warnings[0]).toContain(aside);
    expect(await fs.readFile(aside, 'utf8')).toBe('{"n":2,"no');
  });

  it.each([
    ['NUL bytes and no newline at all', () => Buffer.alloc(64 * 1024)],
    [
      'one huge unterminated line',
      () => Buffer.from(`{"n":1,"note":"${'x'.repeat(2 * 1024 * 1024)}`),
    ],
    ['text that does not start a record', () => Buffer.from('garbage')],
    [
      'NUL bytes after the last line',
      () => Buffer.concat([Buffer.from(lines({ n: 1 })), Buffer.alloc(4096)]),
    ],
  ])(
    'refuses a journal with %s, naming it, and leaves it byte for byte',
    async (_what, content) => {
      const file = path.join(await tempDir(), 'events.jsonl');
      const bytes = content();
      await fs.writeFile(file, bytes);
      const error = await caught(openJournal(file, EventSchema));
      expect(error.code).toBe('corrupt');
      expect(error.message).toContain(file);
      expect(Buffer.compare(await fs.readFile(file), bytes)).toBe(0);
    },
  );

  it('refuses a journal whose last complete line is not JSON, naming file and line, and leaves it untouched', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    const bytes = `${lines({ n: 1 }, { n: 2 })}{"n":3,,}\n{"torn`;
    await fs.writeFile(file, bytes);
    const error = await caught(openJournal(file, EventSchema));
    expect(error.code).toBe('corrupt');
    expect(error.message).toContain(file);
    expect(error.message).toContain('line 3');
    expect(error.line).toBe(3);
    expect(await fs.readFile(file, 'utf8')).toBe(bytes);
  });

  it('refuses a journal whose last line fails the schema, naming the field', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    await fs.writeFile(file, `${lines({ n: 1 })}{"n":"two"}\n`);
    const error = await caught(openJournal(file, EventSchema));
    expect(error.message).toContain('line 2');
    expect(error.message).toContain('field n');
  });

  // How fast it opens is the bench's figure 7b; here, that a journal that size opens whole.
  it('opens a 600,000-line journal and knows its count and last record', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    const block = Array.from(
      { length: 10_000 },
      (_, i) => `{"n":${i},"note":"closed request"}\n`,
    ).join('');
    await fs.writeFile(file, block.repeat(60));
    const journal = await open(file);
    expect(journal.count).toBe(600_000);
    expect(journal.last).toEqual({ n: 9_999, note: 'closed request' });
  });
});

describe('Journal.append', () => {
  it('counts appended records at once, before they are on disk', async () => {
    const journal = await open(path.join(await tempDir(), 'events.jsonl'));
    const written = journal.append([{ n: 1 }, { n: 2 }]);
    expect(journal.count).toBe(2);
    expect(journal.last).toEqual({ n: 2 });
    await written;
  });

  it('lands 1,000 concurrent appends on disk in call order', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    const journal = await open(file);
    await Promise.all(Array.from({ length: 1_000 }, (_, n) => journal.append({ n })));
    const rows = await readAll(file);
    expect(rows.map((row) => row.record.n)).toEqual(Array.from({ length: 1_000 }, (_, n) => n));
    expect(rows.at(-1)?.line).toBe(1_000);
    expect(journal.count).toBe(1_000);
  });

  it('has the bytes on disk when its promise resolves', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    const journal = await open(file);
    await journal.append({ n: 42 });
    expect(await fs.readFile(file, 'utf8')).toBe('{"n":42}\n');
  });

  it('refuses a record that fails the schema and keeps working', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    const journal = await open(file);
    await expect(journal.append({ n: 1.5 })).rejects.toThrow(/fails its schema/);
    expect(journal.count).toBe(0);
    await journal.append({ n: 2 });
    expect(await fs.readFile(file, 'utf8')).toBe('{"n":2}\n');
  });

  it('rejects appends after close', async () => {
    const journal = await open(path.join(await tempDir(), 'events.jsonl'));
    await journal.close();
    await expect(journal.append({ n: 1 })).rejects.toThrow(/closed/);
  });

  it('flush waits for appends in flight', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    const journal = await open(file);
    void journal.append({ n: 1 });
    await journal.flush();
    expect(await fs.readFile(file, 'utf8')).toBe('{"n":1}\n');
  });
});

describe('readJournal', () => {
  it('yields every record with its line number', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    await fs.writeFile(file, lines({ n: 5 }, { n: 6 }));
    expect(await readAll(file)).toEqual([
      { line: 1, record: { n: 5 } },
      { line: 2, record: { n: 6 } },
    ]);
  });

  it('throws on a bad middle line, naming the file and that line number', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    await fs.writeFile(file, `${lines({ n: 1 }, { n: 2 })}not json\n${lines({ n: 4 })}`);
    const error = await caught(readAll(file));
    expect(error.code).toBe('corrupt');
    expect(error.line).toBe(3);
    expect(error.message).toContain(file);
    expect(error.message).toContain('line 3');
  });

  it('treats an empty line as corrupt', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    await fs.writeFile(file, `${lines({ n: 1 })}\n${lines({ n: 2 })}`);
    const error = await caught(readAll(file));
    expect(error.line).toBe(2);
  });

  it('reads lines longer than its read buffer', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    const long = { n: 2, note: 'x'.repeat(9 * 1024 * 1024) };
    await fs.writeFile(file, lines({ n: 1 }, long, { n: 3 }));
    const rows = await readAll(file);
    expect(rows.map((row) => row.record.n)).toEqual([1, 2, 3]);
    expect(rows[1]?.record.note?.length).toBe(long.note.length);
  });

  it('does not yield a torn final line', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    await fs.writeFile(file, `${lines({ n: 1 })}{"n":2`);
    expect((await readAll(file)).map((row) => row.record.n)).toEqual([1]);
  });

  it('reports a missing file as unreadable', async () => {
    const file = path.join(await tempDir(), 'absent.jsonl');
    const error = await caught(readAll(file));
    expect(error.code).toBe('unreadable');
    expect(error.message).toContain(file);
  });
});
