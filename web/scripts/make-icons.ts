// Writes the PWA icons (192, 512 and a 512 maskable) as PNGs with zlib: a blue tile with a white "P" and a
// bridge arch. Run with `npx bun web/scripts/make-icons.ts`; the output is committed under web/public/icons.
import { deflateSync } from "node:zlib";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const BLUE = [0x0b, 0x5c, 0xad];
const WHITE = [0xff, 0xff, 0xff];

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** RGBA pixels → PNG bytes (8-bit RGBA, no interlace, filter 0 on every row). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const raw = new Uint8Array((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Draws the icon; `maskable` fills the whole square and keeps the mark inside the 80% safe zone. */
function drawIcon(size: number, maskable: boolean): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  const radius = maskable ? 0 : size * 0.18;
  const scale = maskable ? 0.7 : 0.85;
  const inside = (x: number, y: number) => {
    const cx = Math.min(Math.max(x, radius), size - radius);
    const cy = Math.min(Math.max(y, radius), size - radius);
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!inside(x + 0.5, y + 0.5)) continue;
      // Normalised coordinates centred on the tile, shrunk to the safe zone.
      const u = ((x + 0.5) / size - 0.5) / scale + 0.5;
      const v = ((y + 0.5) / size - 0.5) / scale + 0.5;
      const stem = u >= 0.3 && u <= 0.42 && v >= 0.18 && v <= 0.7;
      const ring = Math.hypot((u - 0.47) / 0.22, (v - 0.34) / 0.16);
      const bowl = u >= 0.36 && ring <= 1 && ring >= 0.55;
      const bowlBar = u >= 0.3 && u <= 0.47 &&
        ((v >= 0.18 && v <= 0.25) || (v >= 0.43 && v <= 0.5));
      const arch = v >= 0.74 && v <= 0.82 &&
        Math.abs(Math.hypot(u - 0.5, (v - 1.05) * 1.4) - 0.42) < 0.035 && u > 0.12 && u < 0.88;
      const deck = v >= 0.8 && v <= 0.84 && u >= 0.14 && u <= 0.86;
      const color = stem || bowl || bowlBar || arch || deck ? WHITE : BLUE;
      const i = (y * size + x) * 4;
      px.set([...color, 255], i);
    }
  }
  return px;
}

const dir = join(import.meta.dirname, "..", "public", "icons");
for (
  const [name, size, maskable] of [
    ["icon-192.png", 192, false],
    ["icon-512.png", 512, false],
    ["icon-512-maskable.png", 512, true],
  ] as const
) {
  writeFileSync(join(dir, name), encodePng(size, size, drawIcon(size, maskable)));
  console.log(`wrote ${name}`);
}
