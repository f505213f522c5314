// The chart page draws in real headless Chromium and comes back as a PNG.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderCharts, type ChartData } from '../src/render.js';

const dir = mkdtempSync(join(tmpdir(), 'autoscaling-render-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const seconds = Array.from({ length: 120 }, (_, i) => i);
const chart: ChartData = {
  title: 'test service',
  subtitle: 'a step at one minute',
  unit: 'req/s',
  seconds,
  offered: seconds.map((s) => (s < 60 ? 100 : 400)),
  served: seconds.map((s) => (s < 60 ? 100 : 300)),
  desired: seconds.map((s) => (s < 75 ? 2 : 4)),
  ready: seconds.map((s) => (s < 100 ? 2 : 4)),
  utilisation: seconds.map((s) => (s < 60 ? 50 : 150)),
  marks: [{ second: 75, label: '2→4', color: '#2ca02c' }],
  phases: [
    { start: 0, name: 'calm' },
    { start: 60, name: 'burst' },
  ],
};

describe('renderCharts', () => {
  it('writes one PNG per chart', async () => {
    const [file] = await renderCharts([chart], ['test'], {
      chromiumPath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      outDir: dir,
    });
    expect(file).toBe(join(dir, 'test.png'));
    const png = readFileSync(join(dir, 'test.png'));
    // The PNG signature, and more than an empty frame's worth of pixels.
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.length).toBeGreaterThan(10_000);
  }, 60_000);
});
