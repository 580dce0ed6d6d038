#!/usr/bin/env node
// Renders build/icon.svg into every icon the installers need, committed beside it so packaging needs no
// renderer: build/icon.png (1024), build/icons/<n>x<n>.png (Linux), build/icon.ico (Windows: PNG-compressed
// entries, Vista and later) and build/icon.icns (macOS: PNG entries). Rendering uses the Chromium the
// end-to-end tests use (/usr/bin/chromium or CHROMIUM_PATH) through Playwright; ICO and ICNS are simple
// containers of PNGs, written here. Run it after changing the SVG.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = join(ROOT, 'build');
const svg = readFileSync(join(BUILD, 'icon.svg'), 'utf8');

const LINUX_SIZES = [16, 32, 48, 64, 128, 256, 512];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
// OSType → pixel size; the @2x types hold the same pixels as the next size up.
const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];

export function icoFile(pngs) {
  const header = Buffer.alloc(6 + 16 * pngs.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(pngs.length, 4);
  let offset = header.length;
  pngs.forEach(({ size, data }, i) => {
    const entry = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, entry); // 0 means 256
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt16LE(1, entry + 4); // colour planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(data.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...pngs.map((p) => p.data)]);
}

export function icnsFile(entries) {
  const chunks = entries.map(({ type, data }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + chunks.reduce((n, c) => n + c.length, 0), 4);
  return Buffer.concat([head, ...chunks]);
}

async function render() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 });
    const sizes = [...new Set([...LINUX_SIZES, ...ICO_SIZES, ...ICNS_TYPES.map(([, n]) => n), 1024])];
    const out = new Map();
    for (const size of sizes) {
      await page.setViewportSize({ width: size, height: size });
      await page.setContent(
        `<html><body style="margin:0;background:transparent">${svg.replace(
          /width="1024" height="1024"/,
          `width="${size}" height="${size}"`,
        )}</body></html>`,
      );
      out.set(
        size,
        await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } }),
      );
    }
    return out;
  } finally {
    await browser.close();
  }
}

const pngs = await render();
mkdirSync(join(BUILD, 'icons'), { recursive: true });
writeFileSync(join(BUILD, 'icon.png'), pngs.get(1024));
for (const size of LINUX_SIZES) writeFileSync(join(BUILD, 'icons', `${size}x${size}.png`), pngs.get(size));
writeFileSync(join(BUILD, 'icon.ico'), icoFile(ICO_SIZES.map((size) => ({ size, data: pngs.get(size) }))));
writeFileSync(
  join(BUILD, 'icon.icns'),
  icnsFile(ICNS_TYPES.map(([type, size]) => ({ type, data: pngs.get(size) }))),
);
process.stdout.write('make-icons: build/icon.png, build/icons/*.png, build/icon.ico, build/icon.icns\n');
