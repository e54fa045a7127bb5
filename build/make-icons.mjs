// `node build/make-icons.mjs`: draws the desktop app's icons from the product's mark (the sign-in
// pages' favicon) with Chromium, and writes the containers the installers want: icon.png (1024 px,
// Linux), icon.ico (Windows, 16–256 px) and icon.icns (macOS, 16–1024 px on Apple's icon grid).
// The outputs are committed; run this again only when the mark changes.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const MARK = readFileSync(here('../server/enduser/public/favicon.svg'), 'utf8');

/** Windows: BMP entries up to 48 px (every reader shows them), PNG above (Vista and later). */
const ICO_BMP_SIZES = [16, 24, 32, 48];
const ICO_PNG_SIZES = [64, 128, 256];
/** macOS icon types holding PNG data, by pixel size (ic11–ic14 are the @2x of 16–256 pt). */
const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32],
  ['icp6', 64],
  ['ic12', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic13', 256],
  ['ic09', 512],
  ['ic14', 512],
  ['ic10', 1024],
];
/** Apple's grid: the body of a macOS icon is 824 of 1024 px, centred, so it sits beside others. */
const MAC_BODY = 824 / 1024;

function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
}

/** The mark as a transparent PNG of `size` px, its body `scale` of the square, centred. */
async function render(page, size, scale = 1) {
  const body = Math.round(size * scale);
  const svg = MARK.replace('<svg ', `<svg width="${body}" height="${body}" `);
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(
    `<!doctype html><html><body style="margin:0;width:${size}px;height:${size}px;display:grid;place-items:center;background:transparent">${svg}</body></html>`,
  );
  return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
}

/* global Image, OffscreenCanvas -- used inside page.evaluate, which runs in the page */

/** RGBA pixels of a PNG, through the browser (no image library needed). */
async function pixelsOf(page, png) {
  const data = await page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    return Array.from(context.getImageData(0, 0, image.width, image.height).data);
  }, png.toString('base64'));
  return Uint8Array.from(data);
}

/** A 32-bit BMP icon entry: BITMAPINFOHEADER, bottom-up BGRA rows, an all-zero AND mask. */
function bmpEntry(size, rgba) {
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // colour rows + mask rows
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = (y * size + x) * 4;
      const to = ((size - 1 - y) * size + x) * 4;
      pixels[to] = rgba[from + 2];
      pixels[to + 1] = rgba[from + 1];
      pixels[to + 2] = rgba[from];
      pixels[to + 3] = rgba[from + 3];
    }
  }
  const maskRow = Math.ceil(size / 32) * 4;
  return Buffer.concat([header, pixels, Buffer.alloc(maskRow * size)]);
}

function ico(entries) {
  const directory = Buffer.alloc(6 + 16 * entries.length);
  directory.writeUInt16LE(1, 2); // type: icon
  directory.writeUInt16LE(entries.length, 4);
  let offset = directory.length;
  entries.forEach(({ size, data }, index) => {
    const at = 6 + 16 * index;
    directory.writeUInt8(size >= 256 ? 0 : size, at); // 0 means 256
    directory.writeUInt8(size >= 256 ? 0 : size, at + 1);
    directory.writeUInt16LE(1, at + 4); // colour planes
    directory.writeUInt16LE(32, at + 6); // bits per pixel
    directory.writeUInt32LE(data.length, at + 8);
    directory.writeUInt32LE(offset, at + 12);
    offset += data.length;
  });
  return Buffer.concat([directory, ...entries.map((entry) => entry.data)]);
}

function icns(entries) {
  const chunks = entries.map(({ type, data }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + chunks.reduce((sum, chunk) => sum + chunk.length, 0), 4);
  return Buffer.concat([head, ...chunks]);
}

const browser = await chromium.launch({
  executablePath: chromiumPath(),
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  writeFileSync(here('icon.png'), await render(page, 1024));

  const icoEntries = [];
  for (const size of ICO_BMP_SIZES) {
    icoEntries.push({ size, data: bmpEntry(size, await pixelsOf(page, await render(page, size))) });
  }
  for (const size of ICO_PNG_SIZES) icoEntries.push({ size, data: await render(page, size) });
  writeFileSync(here('icon.ico'), ico(icoEntries));

  const macPngs = new Map();
  for (const [, size] of ICNS_TYPES) {
    if (!macPngs.has(size)) macPngs.set(size, await render(page, size, MAC_BODY));
  }
  writeFileSync(
    here('icon.icns'),
    icns(ICNS_TYPES.map(([type, size]) => ({ type, data: macPngs.get(size) }))),
  );
} finally {
  await browser.close();
}
console.log('Wrote build/icon.png, build/icon.ico and build/icon.icns.');
