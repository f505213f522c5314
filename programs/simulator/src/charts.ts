import { existsSync, readFileSync } from 'node:fs';
import { launchChromium, screenshotPage } from '@frequency/grafana/screenshot';

export interface Series {
  label: string;
  color: string;
  /** [seconds since start, value]; NaN values leave a gap. */
  points: readonly (readonly [number, number])[];
}

export interface Band {
  label: string;
  from: number;
  to: number;
}

export interface ChartSpec {
  title: string;
  unit: string;
  series: readonly Series[];
  /** Background bands (the lifecycle's phases). */
  bands: readonly Band[];
  width?: number;
  height?: number;
}

const PALETTE_BANDS = ['#f4f6fb', '#e9eef8'];

/** A number on an axis: 1 2 5 steps, thousands as "k". */
function tickLabel(value: number): string {
  if (Math.abs(value) >= 1_000_000) return `${trim(value / 1_000_000)}M`;
  if (Math.abs(value) >= 10_000) return `${trim(value / 1_000)}k`;
  return trim(value);
}

function trim(value: number): string {
  return Number.isInteger(value)
    ? String(value)
    : value.toFixed(value < 1 ? 2 : 1).replace(/\.?0+$/, '');
}

/** A "nice" step so that about `count` ticks cover `max`. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const residual = raw / magnitude;
  const nice = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10;
  return nice * magnitude;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A self-contained SVG line chart (no fonts or scripts to load), readable in a browser or a Markdown viewer. */
export function lineChart(spec: ChartSpec): string {
  const width = spec.width ?? 900;
  const height = spec.height ?? 320;
  const margin = { top: 40, right: 20, bottom: 56, left: 64 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const allX = spec.series
    .flatMap((s) => s.points.map(([x]) => x))
    .concat(spec.bands.map((b) => b.to));
  const maxX = Math.max(1, ...allX);
  const finiteY = spec.series
    .flatMap((s) => s.points.map(([, y]) => y))
    .filter((y) => Number.isFinite(y));
  const stepY = niceStep(Math.max(0, ...finiteY));
  const maxY = Math.max(stepY, Math.ceil(Math.max(0, ...finiteY) / stepY) * stepY);
  const x = (v: number) => margin.left + (v / maxX) * plotW;
  const y = (v: number) => margin.top + plotH - (v / maxY) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="22" font-size="15" font-weight="bold" fill="#1d2433">${escape(spec.title)}</text>`,
  );
  spec.bands.forEach((band, index) => {
    const x0 = x(band.from);
    const x1 = x(band.to);
    parts.push(
      `<rect x="${x0.toFixed(1)}" y="${margin.top}" width="${Math.max(0, x1 - x0).toFixed(1)}" height="${plotH}" fill="${PALETTE_BANDS[index % 2] ?? '#f4f6fb'}"/>`,
      `<text x="${((x0 + x1) / 2).toFixed(1)}" y="${margin.top + plotH + 34}" text-anchor="middle" fill="#5b6478" font-size="10">${escape(band.label)}</text>`,
    );
  });
  for (let v = 0; v <= maxY + stepY / 2; v += stepY) {
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#d5dae5" stroke-width="1"/>`,
      `<text x="${margin.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#5b6478">${tickLabel(v)}</text>`,
    );
  }
  const stepX = niceStep(maxX, 8);
  for (let v = 0; v <= maxX; v += stepX) {
    parts.push(
      `<text x="${x(v).toFixed(1)}" y="${margin.top + plotH + 16}" text-anchor="middle" fill="#5b6478">${tickLabel(v)}s</text>`,
    );
  }
  parts.push(
    `<text x="16" y="${margin.top + plotH / 2}" transform="rotate(-90 16 ${margin.top + plotH / 2})" text-anchor="middle" fill="#5b6478">${escape(spec.unit)}</text>`,
  );
  for (const series of spec.series) {
    const segments: string[][] = [[]];
    for (const [px, py] of series.points) {
      if (!Number.isFinite(py)) {
        segments.push([]);
        continue;
      }
      segments[segments.length - 1]?.push(`${x(px).toFixed(1)},${y(py).toFixed(1)}`);
    }
    for (const segment of segments) {
      if (segment.length === 0) continue;
      parts.push(
        `<polyline fill="none" stroke="${series.color}" stroke-width="1.8" points="${segment.join(' ')}"/>`,
      );
    }
  }
  let legendX = width - margin.right;
  for (const series of [...spec.series].reverse()) {
    const textWidth = series.label.length * 6.5;
    legendX -= textWidth + 28;
    parts.push(
      `<rect x="${legendX.toFixed(1)}" y="14" width="14" height="4" fill="${series.color}"/>`,
      `<text x="${(legendX + 18).toFixed(1)}" y="21" fill="#1d2433">${escape(series.label)}</text>`,
    );
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * PNG copy of an SVG through headless Chromium. Returns false (and writes nothing) when Chromium
 * is missing or fails: the SVG is the chart, the PNG a convenience.
 */
export async function renderPng(
  chromium: string,
  svgPath: string,
  pngPath: string,
  width: number,
  height: number,
): Promise<boolean> {
  if (!existsSync(chromium)) return false;
  const html = `<!doctype html><html><body style="margin:0">${readFileSync(svgPath, 'utf8')}</body></html>`;
  try {
    const browser = await launchChromium(chromium);
    try {
      await screenshotPage(
        browser,
        { html, viewport: { width, height }, selector: 'svg' },
        pngPath,
      );
    } finally {
      await browser.close();
    }
    return existsSync(pngPath);
  } catch {
    return false;
  }
}
