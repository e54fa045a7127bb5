// Specification of lowdb documents: validated on open, never reset, each update acknowledged once on disk.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openDocument } from '../../../../server/store/embedded/document';
import { StorageError } from '../../../../server/store/embedded/errors';

const NotesSchema = z.object({
  title: z.string(),
  notes: z.array(z.object({ id: z.number().int(), text: z.string() })),
});
type Notes = z.infer<typeof NotesSchema>;
const initNotes = (): Notes => ({ title: 'desk', notes: [] });

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hdotp-'));
  onTestFinished(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function readDisk(file: string): Promise<unknown> {
  return JSON.parse(await fs.readFile(file, 'utf8'));
}

async function caught(promise: Promise<unknown>): Promise<StorageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  return error as StorageError;
}

describe('openDocument', () => {
  it('writes the initial content when the file is missing', async () => {
    const file = path.join(await tempDir(), 'notes.json');
    const doc = await openDocument(file, NotesSchema, initNotes);
    expect(doc.data).toEqual(initNotes());
    expect(await readDisk(file)).toEqual(initNotes());
  });

  it('sees the changes of an earlier run when reopened', async () => {
    const file = path.join(await tempDir(), 'notes.json');
    const first = await openDocument(file, NotesSchema, initNotes);
    await first.update((d) => void d.notes.push({ id: 1, text: 'called back' }));
    const second = await openDocument(file, NotesSchema, () => {
      throw new Error('init must not run for an existing file');
    });
    expect(second.data.notes).toEqual([{ id: 1, text: 'called back' }]);
  });

  it('refuses a file with invalid JSON, naming it, and leaves its bytes untouched', async () => {
    const file = path.join(await tempDir(), 'notes.json');
    const bytes = '{"title":"desk","notes":[}';
    await fs.writeFile(file, bytes);
    const error = await caught(openDocument(file, NotesSchema, initNotes));
    expect(error.code).toBe('corrupt');
    expect(error.message).toContain(file);
    expect(await fs.readFile(file, 'utf8')).toBe(bytes);
  });

  it('refuses a file that does not match the schema, naming the field path', async () => {
    const file = path.join(await tempDir(), 'notes.json');
    const bytes = JSON.stringify({
      title: 'desk',
      notes: [
        { id: 1, text: 'a' },
        { id: 2, text: 42 },
      ],
    });
    await fs.writeFile(file, bytes);
    const error = await caught(openDocument(file, NotesSchema, initNotes));
    expect(error.code).toBe('corrupt');
    expect(error.message).toContain(file);
    expect(error.message).toContain('notes.1.text');
    expect(await fs.readFile(file, 'utf8')).toBe(bytes);
  });
});

describe('DocumentStore.update', () => {
  it('makes the change visible synchronously, before it is on disk', async () => {
    const file = path.join(await tempDir(), 'notes.json');
    const doc = await openDocument(file, NotesSchema, initNotes);
    const written = doc.update((d) => {
      d.title = 'desk 2';
    });
    expect(doc.data.title).toBe('desk 2');
    await written;
  });

  it('resolves with the mutator result only once the change is on disk', async () => {
    const file = path.join(await tempDir(), 'notes.json');
    const doc = await openDocument(file, NotesSchema, initNotes);
    const count = await doc.update((d) => d.notes.push({ id: 7, text: 'x' }));
    expect(count).toBe(1);
    expect(await readDisk(file)).toEqual({ title: 'desk', notes: [{ id: 7, text: 'x' }] });
  });

  it('acknowledges 100 concurrent updates, all of which are on disk after reopening', async () => {
    const file = path.join(await tempDir(), 'notes.json');
    const doc = await openDocument(file, NotesSchema, initNotes);
    const ids = Array.from({ length: 100 }, (_, i) => i + 1);
    await Promise.all(
      ids.map((id) => doc.update((d) => void d.notes.push({ id, text: `note ${id}` }))),
    );
    const reopened = await openDocument(file, NotesSchema, initNotes);
    expect(reopened.data.notes.map((n) => n.id)).toEqual(ids);
  });

  it('carries updates made during a write in the next write', async () => {
    const file = path.join(await tempDir(), 'notes.json');
    const doc = await openDocument(file, NotesSchema, initNotes);
    const first = doc.update((d) => void d.notes.push({ id: 1, text: 'a' }));
    await Promise.resolve(); // let the first write start
    await Promise.resolve();
    const later = [2, 3, 4].map((id) => doc.update((d) => void d.notes.push({ id, text: 'b' })));
    await first;
    await Promise.all(later);
    expect(await readDisk(file)).toMatchObject({
      notes: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }],
    });
  });

  it('rejects an update whose mutator throws', async () => {
    const file = path.join(await tempDir(), 'notes.json');
    const doc = await openDocument(file, NotesSchema, initNotes);
    await expect(
      doc.update(() => {
        throw new Error('no such note');
      }),
    ).rejects.toThrow('no such note');
  });

  it('rejects the updates of a failed write and saves them with the next successful one', async () => {
    const dir = path.join(await tempDir(), 'data');
    const file = path.join(dir, 'notes.json');
    const doc = await openDocument(file, NotesSchema, initNotes);
    await fs.rm(dir, { recursive: true });
    await expect(doc.update((d) => void d.notes.push({ id: 1, text: 'lost?' }))).rejects.toThrow();
    await fs.mkdir(dir);
    await doc.update((d) => void d.notes.push({ id: 2, text: 'retried' }));
    expect(await readDisk(file)).toMatchObject({ notes: [{ id: 1 }, { id: 2 }] });
  });
});

describe('DocumentStore.flush', () => {
  it('resolves once every pending change is on disk', async () => {
    const file = path.join(await tempDir(), 'notes.json');
    const doc = await openDocument(file, NotesSchema, initNotes);
    void doc.update((d) => {
      d.title = 'flushed';
    });
    await doc.flush();
    expect(await readDisk(file)).toMatchObject({ title: 'flushed' });
  });

  it('writes again changes whose write failed', async () => {
    const dir = path.join(await tempDir(), 'data');
    const file = path.join(dir, 'notes.json');
    const doc = await openDocument(file, NotesSchema, initNotes);
    await fs.rm(dir, { recursive: true });
    await expect(doc.update((d) => void (d.title = 'pending'))).rejects.toThrow();
    await fs.mkdir(dir);
    await doc.flush();
    expect(await readDisk(file)).toMatchObject({ title: 'pending' });
  });

  it('resolves at once when nothing is pending', async () => {
    const file = path.join(await tempDir(), 'notes.json');
    const doc = await openDocument(file, NotesSchema, initNotes);
    await doc.flush();
  });
});
