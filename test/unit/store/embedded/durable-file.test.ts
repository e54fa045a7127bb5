// Specification of the durable file primitives: atomic replace, and JSON reads that never guess.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  readJsonFile,
  removeStaleTempFiles,
  writeFileDurably,
} from '../../../../server/store/embedded/durable-file';
import { StorageError } from '../../../../server/store/embedded/errors';

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hdotp-'));
  onTestFinished(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function caught(promise: Promise<unknown>): Promise<StorageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  return error as StorageError;
}

describe('writeFileDurably', () => {
  it('replaces the file content and leaves no temporary file behind', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'realm.json');
    await writeFileDurably(file, '{"v":1}');
    await writeFileDurably(file, '{"v":2}');
    expect(await fs.readFile(file, 'utf8')).toBe('{"v":2}');
    expect(await fs.readdir(dir)).toEqual(['realm.json']);
  });

  it('rejects when the directory does not exist', async () => {
    const dir = await tempDir();
    await expect(writeFileDurably(path.join(dir, 'missing', 'realm.json'), '{}')).rejects.toThrow();
  });
});

describe('removeStaleTempFiles', () => {
  it('removes temp files of interrupted writes and nothing else', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'realm.json');
    await fs.writeFile(file, '{}');
    await fs.writeFile(`${file}.tmp-123-4`, '{"half');
    await fs.writeFile(path.join(dir, 'realm.json.bak'), '{}');
    await removeStaleTempFiles(file);
    expect((await fs.readdir(dir)).sort()).toEqual(['realm.json', 'realm.json.bak']);
  });
});

describe('readJsonFile', () => {
  it('returns undefined for a missing file', async () => {
    const dir = await tempDir();
    expect(await readJsonFile(path.join(dir, 'absent.json'))).toBeUndefined();
  });

  it('returns the parsed content', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'a.json');
    await fs.writeFile(file, '{"a":[1,2]}');
    expect(await readJsonFile(file)).toEqual({ a: [1, 2] });
  });

  it('reports invalid JSON as corrupt, naming the file, the line and what to do', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'realm.json');
    await fs.writeFile(file, '{\n  "a": 1,\n}\n');
    const error = await caught(readJsonFile(file));
    expect(error.code).toBe('corrupt');
    expect(error.file).toBe(file);
    expect(error.message).toContain(file);
    expect(error.message).toContain('line 3');
    expect(error.message).toContain('nothing was reset');
  });

  it('reports an empty file as corrupt', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'realm.json');
    await fs.writeFile(file, '');
    const error = await caught(readJsonFile(file));
    expect(error.code).toBe('corrupt');
    expect(error.message).toContain('empty');
  });

  it('reports a path it cannot read as unreadable', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'realm.json');
    await fs.mkdir(file);
    const error = await caught(readJsonFile(file));
    expect(error.code).toBe('unreadable');
    expect(error.message).toContain(file);
  });
});
