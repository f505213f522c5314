// The sale report's charts: the SVG drawn from a spec, and its PNG copy through real headless
// Chromium, or no PNG (and no failure) where Chromium is not installed.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lineChart, renderPng } from '../src/charts.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-charts-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const svgPath = join(dir, 'chart.svg');
writeFileSync(
  svgPath,
  lineChart({
    title: 'joins per second',
    unit: 'req/s',
    series: [
      {
        label: 'joins',
        color: '#1f77b4',
        points: Array.from({ length: 60 }, (_, i) => [i, i < 30 ? 100 : 400] as const),
      },
    ],
    bands: [{ label: 'burst', from: 30, to: 60 }],
    width: 900,
    height: 320,
  }),
);

describe('renderPng', () => {
  it('writes a PNG of the SVG at its size', async () => {
    const pngPath = join(dir, 'chart.png');
    const chromium = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
    expect(await renderPng(chromium, svgPath, pngPath, 900, 320)).toBe(true);
    const png = readFileSync(pngPath);
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // IHDR: width and height, big-endian, right after the signature and the chunk header.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([900, 320]);
  }, 60_000);

  it('writes nothing and says so when Chromium is not there', async () => {
    const pngPath = join(dir, 'none.png');
    expect(await renderPng(join(dir, 'no-chromium'), svgPath, pngPath, 900, 320)).toBe(false);
    expect(existsSync(pngPath)).toBe(false);
  });
});
