import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { drawIcon, encodePng, iconDataUrl } from '../../../main/tray-icon';

/** Reads back an 8-bit RGBA, unfiltered PNG as encodePng writes it. */
function decodePng(png: Buffer) {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks = new Map<string, Buffer>();
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    chunks.set(png.toString('ascii', at + 4, at + 8), png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const header = chunks.get('IHDR')!;
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const rows = inflateSync(chunks.get('IDAT')!);
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    pixels.set(rows.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  }
  return { width, height, bitDepth: header[8], colorType: header[9], pixels, chunks };
}

const pixel = (icon: Uint8Array, size: number, x: number, y: number) => [
  ...icon.subarray((y * size + x) * 4, (y * size + x) * 4 + 4),
];

describe('drawIcon', () => {
  it('draws a disc with a transparent keyhole as a template image', () => {
    const icon = drawIcon(32, 'template');
    expect(pixel(icon, 32, 0, 0)).toEqual([0, 0, 0, 0]); // corner: outside the disc
    expect(pixel(icon, 32, 4, 16)).toEqual([0, 0, 0, 255]); // on the disc
    expect(pixel(icon, 32, 16, 12)[3]).toBe(0); // in the keyhole
  });

  it('paints the keyhole white on a blue disc in color', () => {
    const icon = drawIcon(32, 'color');
    expect(pixel(icon, 32, 4, 16)).toEqual([0x1f, 0x5f, 0xbf, 255]);
    expect(pixel(icon, 32, 16, 12)).toEqual([255, 255, 255, 255]);
  });

  it('draws the badge as a plain red dot', () => {
    const icon = drawIcon(16, 'badge');
    expect(pixel(icon, 16, 8, 6)).toEqual([0xd9, 0x30, 0x25, 255]);
    expect(pixel(icon, 16, 0, 0)[3]).toBe(0);
  });
});

describe('encodePng', () => {
  it('writes a PNG that decodes to the same pixels, with valid chunk checksums', () => {
    const icon = drawIcon(16, 'color');
    const png = encodePng(16, 16, icon);
    const decoded = decodePng(png);
    expect(decoded).toMatchObject({ width: 16, height: 16, bitDepth: 8, colorType: 6 });
    expect(decoded.pixels).toEqual(icon);
    // IEND's CRC is fixed by the PNG spec.
    expect(png.subarray(-4).toString('hex')).toBe('ae426082');
  });

  it('refuses pixels that do not fill the image', () => {
    expect(() => encodePng(16, 16, new Uint8Array(10))).toThrow(/wrong number of pixels/);
  });
});

describe('iconDataUrl', () => {
  it('is a PNG data URL', () => {
    const url = iconDataUrl(16, 'template');
    expect(url).toMatch(/^data:image\/png;base64,/);
    expect(decodePng(Buffer.from(url.split(',')[1]!, 'base64')).width).toBe(16);
  });
});
