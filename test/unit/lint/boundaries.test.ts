// The lint rules that keep the architecture: each boundary rejects a forbidden import and lets the
// allowed one through, cycles and floating promises are refused. Lints text as if it were a file of
// the project (an existing path, so typed linting finds it in its tsconfig).
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
let eslint: ESLint;

beforeAll(async () => {
  eslint = new ESLint({ cwd: ROOT, ignore: false });
  // The first lint builds the TypeScript programs for typed linting: slow once, quick after.
  await eslint.lintText('', { filePath: path.join(ROOT, 'server/logger.ts') });
  await eslint.lintText('', { filePath: path.join(ROOT, 'renderer/src/App.tsx') });
}, 180_000);

/** The rules `code` breaks when it stands in `file` (repo-relative), deduplicated. */
async function brokenRules(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  const fatal = result!.messages.filter((m) => m.fatal);
  if (fatal.length) throw new Error(fatal.map((m) => m.message).join('\n'));
  return [...new Set(result!.messages.map((m) => m.ruleId ?? 'unknown'))];
}

const RESTRICTED = 'no-restricted-imports';

interface Boundary {
  what: string;
  file: string;
  forbidden: string[];
  allowed: string[];
}

const boundaries: Boundary[] = [
  {
    what: 'the domain is pure (an allow-list)',
    file: 'server/domain/help-request.ts',
    forbidden: [
      "import { createHash } from 'node:crypto';",
      "import { readFile } from 'fs/promises';",
      "import express from 'express';",
      "import { authenticator } from 'otplib';",
      "import { openJournal } from '../store/embedded/journal';",
      "import { newToken } from '../security/tokens';",
      "import { RequestService } from '../requests/request-service';",
    ],
    allowed: [
      "import { z } from 'zod';",
      "import type { HelpDeskId } from '../contract/realm-config';",
      "import { deadlineOf } from './request-lifecycle';",
    ],
  },
  {
    what: 'the renderer runs in a browser and reads the server through the contract and the domain',
    file: 'renderer/src/App.tsx',
    forbidden: [
      "import { readFile } from 'node:fs';",
      "import path from 'path';",
      "import { ipcRenderer } from 'electron';",
      "import { openJournal } from '../../server/store/embedded/journal';",
      "import { RequestService } from '../../server/requests/request-service';",
    ],
    allowed: [
      "import type { RequestView } from '../../server/contract/request-view';",
      "import { deadlineOf } from '../../server/domain/request-lifecycle';",
    ],
  },
  {
    what: 'services and routes reach storage through the repositories only',
    file: 'server/requests/request-service.ts',
    forbidden: [
      "import { openJournal } from '../store/embedded/journal';",
      "import { openEmbeddedStore } from '../store/embedded/embedded-store';",
      "import { AgentsDocumentSchema } from '../store/embedded/documents';",
      "import { store } from '../store';",
    ],
    allowed: ["import type { RequestRepository } from '../store/repositories';"],
  },
  {
    what: 'only the composition root opens a store',
    file: 'server/app.ts',
    forbidden: ["import { openEmbeddedStore } from './store/embedded/embedded-store';"],
    allowed: ["import type { Store } from './store/repositories';"],
  },
  {
    what: 'the entry point opens the embedded store',
    file: 'server/index.ts',
    forbidden: [
      "import { openJournal } from './store/embedded/journal';",
      "import { openDocument } from './store/embedded/document';",
      "import { openJournal } from './store/journal';",
    ],
    allowed: ["import { openEmbeddedStore } from './store/embedded/embedded-store';"],
  },
  {
    what: 'the server may not import the desktop app',
    file: 'server/app.ts',
    forbidden: [
      "import { app } from 'electron';",
      "import { createWindow } from '../main/window';",
      "import { App } from '../renderer/src/App';",
    ],
    allowed: ["import { createServer } from 'node:http';"],
  },
  {
    what: 'main/ talks to the server over HTTP, never by import',
    file: 'main/index.ts',
    forbidden: [
      "import { createApp } from '../server/app';",
      "import { App } from '../renderer/src/App';",
    ],
    allowed: ["import { app } from 'electron';"],
  },
  {
    what: 'preload/ may import the IPC channel names only',
    file: 'preload/index.ts',
    forbidden: ["import { createWindow } from '../main/window';"],
    allowed: ["import { IpcChannel } from '../main/ipc-channels';"],
  },
];

describe('import boundaries', () => {
  for (const boundary of boundaries) {
    describe(boundary.what, () => {
      for (const line of boundary.forbidden)
        it(`refuses ${line}`, async () => {
          expect(await brokenRules(boundary.file, `${line}\n`)).toContain(RESTRICTED);
        });
      for (const line of boundary.allowed)
        it(`allows ${line}`, async () => {
          expect(await brokenRules(boundary.file, `${line}\n`)).not.toContain(RESTRICTED);
        });
    });
  }
});

describe('code rules', () => {
  it('refuses a promise nobody awaits', async () => {
    const code =
      'async function save(): Promise<void> {}\nexport function go(): void {\n  save();\n}\n';
    expect(await brokenRules('server/logger.ts', code)).toContain(
      '@typescript-eslint/no-floating-promises',
    );
    const marked = code.replace('  save();', '  void save();');
    expect(await brokenRules('server/logger.ts', marked)).not.toContain(
      '@typescript-eslint/no-floating-promises',
    );
  });

  it('refuses an import cycle', async () => {
    const [result] = await eslint.lintFiles([
      path.join(ROOT, 'test/unit/lint/fixtures/cycle-a.ts'),
    ]);
    expect(result!.messages.map((m) => m.ruleId)).toContain('import-x/no-cycle');
  });
});
