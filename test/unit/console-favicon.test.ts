// The agent console shows the product's mark as its icon: the same SVG the sign-in pages serve, inline
// (the console's CSP allows data: images), so the two never drift apart.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../support/server-process';

it("the console's icon is the sign-in pages' favicon", async () => {
  const html = await readFile(path.join(ROOT, 'renderer/index.html'), 'utf8');
  // The <link rel="icon"> element, however it is wrapped.
  const link = /<link\s[^>]*rel="icon"[^>]*>/.exec(html)?.[0] ?? '';
  expect(link).toMatch(/type="image\/svg\+xml"/);
  const href = /href="data:image\/svg\+xml,([^"]+)"/.exec(link)?.[1];
  expect(href).toBeDefined();
  const inline = decodeURIComponent(href ?? '').replaceAll("'", '"');
  const served = (
    await readFile(path.join(ROOT, 'server/enduser/public/favicon.svg'), 'utf8')
  ).trim();
  expect(inline).toBe(served);
});
