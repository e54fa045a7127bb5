// The tray and badge icons, drawn in code (a keyhole in a disc) and encoded as PNG, so no image
// file has to be found next to the bundled main process.
import { deflateSync } from 'node:zlib';

export type IconStyle =
  /** Black with alpha: macOS tints a template image for light and dark menu bars. */
  | 'template'
  /** A blue disc with a white keyhole, for Windows and Linux trays. */
  | 'color'
  /** A red dot: the Windows taskbar overlay while requests are pending. */
  | 'badge';

type Rgba = readonly [number, number, number, number];
const BLUE: Rgba = [0x1f, 0x5f, 0xbf, 0xff];
const WHITE: Rgba = [0xff, 0xff, 0xff, 0xff];
const BLACK: Rgba = [0, 0, 0, 0xff];
const RED: Rgba = [0xd9, 0x30, 0x25, 0xff];
const SUBSAMPLES = 4;

/** Is the point (in units of the icon's size, 0–1) inside the disc, and inside the keyhole? */
function shapeAt(x: number, y: number): { disc: boolean; keyhole: boolean } {
  const disc = (x - 0.5) ** 2 + (y - 0.5) ** 2 <= 0.46 ** 2;
  const head = (x - 0.5) ** 2 + (y - 0.4) ** 2 <= 0.13 ** 2;
  const t = (y - 0.42) / 0.34;
  const stem = t >= 0 && t <= 1 && Math.abs(x - 0.5) <= 0.055 + 0.05 * t;
  return { disc, keyhole: head || stem };
}

/** RGBA pixels of a square icon, anti-aliased by sampling each pixel SUBSAMPLES² times. */
export function drawIcon(size: number, style: IconStyle): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let fg = 0;
      let hole = 0;
      for (let sy = 0; sy < SUBSAMPLES; sy++) {
        for (let sx = 0; sx < SUBSAMPLES; sx++) {
          const { disc, keyhole } = shapeAt(
            (px + (sx + 0.5) / SUBSAMPLES) / size,
            (py + (sy + 0.5) / SUBSAMPLES) / size,
          );
          if (!disc) continue;
          if (keyhole && style !== 'badge') hole++;
          else fg++;
        }
      }
      const samples = SUBSAMPLES * SUBSAMPLES;
      const at = (py * size + px) * 4;
      // Template: the keyhole is cut out (transparent). Color: it is painted white. Badge: no hole.
      const [paint, cover] =
        style === 'template'
          ? [BLACK, fg / samples]
          : style === 'badge'
            ? [RED, fg / samples]
            : [fg >= hole ? BLUE : WHITE, (fg + hole) / samples];
      pixels.set([paint[0], paint[1], paint[2], Math.round(paint[3] * cover)], at);
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A truecolor-with-alpha PNG of the given RGBA pixels. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new Error('encodePng: wrong number of pixels');
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA, deflate, no filter, no interlace
  const rows = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) {
    rows[y * (width * 4 + 1)] = 0; // filter: none
    rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** The icon as a PNG data URL, for `nativeImage.createFromDataURL`. */
export function iconDataUrl(size: number, style: IconStyle): string {
  return `data:image/png;base64,${encodePng(size, size, drawIcon(size, style)).toString('base64')}`;
}
