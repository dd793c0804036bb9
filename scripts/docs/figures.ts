/**
 * Figures for docs/guides/img, drawn with the project's own code (tiling plan and ROI geometry from
 * the packages, PNG encoding with `encodePng` from `@sr/core`) and the committed benchmark JSON.
 * Bundled and run by scripts/docs/make-figures.mjs (`npm run docs:figures`).
 *
 * Pictures that compare model output with bicubic need trained weights and are left as marked
 * placeholders in the guides until those exist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodePng, planTiles } from '@sr/core';
import { paddedWindow, type Roi } from '@sr/localsr';

type RGB = [number, number, number];

/** A tiny RGB raster with the few drawing operations the figures need. */
class Raster {
  readonly data: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    bg: RGB = [255, 255, 255],
  ) {
    this.data = new Uint8Array(width * height * 3);
    this.fill(0, 0, width, height, bg);
  }
  set(x: number, y: number, c: RGB, alpha = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (Math.floor(y) * this.width + Math.floor(x)) * 3;
    for (let k = 0; k < 3; k++) this.data[i + k] = Math.round(this.data[i + k]! * (1 - alpha) + c[k]! * alpha);
  }
  fill(x0: number, y0: number, w: number, h: number, c: RGB, alpha = 1): void {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) this.set(x, y, c, alpha);
  }
  /** Rectangle outline `[x0, x1) × [y0, y1)`, optionally dashed. */
  rect(x0: number, y0: number, x1: number, y1: number, c: RGB, thick = 1, dash = 0): void {
    const on = (t: number) => !dash || Math.floor(t / dash) % 2 === 0;
    for (let t = 0; t < thick; t++) {
      for (let x = x0; x < x1; x++) if (on(x)) (this.set(x, y0 + t, c), this.set(x, y1 - 1 - t, c));
      for (let y = y0; y < y1; y++) if (on(y)) (this.set(x0 + t, y, c), this.set(x1 - 1 - t, y, c));
    }
  }
  /** Copies `src` scaled by an integer factor (nearest) to (ox, oy). */
  blit(src: Raster, ox: number, oy: number, k = 1): void {
    for (let y = 0; y < src.height * k; y++)
      for (let x = 0; x < src.width * k; x++) {
        const i = (Math.floor(y / k) * src.width + Math.floor(x / k)) * 3;
        this.set(ox + x, oy + y, [src.data[i]!, src.data[i + 1]!, src.data[i + 2]!]);
      }
  }
  png(): Promise<Uint8Array> {
    return encodePng({ width: this.width, height: this.height, channels: 3, bitDepth: 8, data: this.data });
  }
}

/** A synthetic scene (sky, sun, hills, bricks, a zone plate): structure without any data download. */
function scene(w: number, h: number): Raster {
  const r = new Raster(w, h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const t = y / h;
      let c: RGB = [Math.round(90 + 100 * t), Math.round(150 + 70 * t), 235];
      if ((x - 0.78 * w) ** 2 + (y - 0.22 * h) ** 2 < (0.09 * h) ** 2) c = [255, 214, 90];
      const hill = 0.62 * h + 0.08 * h * Math.sin(x / 17) + 0.05 * h * Math.sin(x / 7 + 1);
      if (y > hill) c = [Math.round(60 + 40 * Math.sin(x / 3) * Math.sin(y / 4)), 140, 70];
      if (x < 0.35 * w && y > 0.5 * h) {
        const row = Math.floor(y / 6);
        const brickX = (x + (row % 2) * 6) % 12;
        c = brickX < 1 || y % 6 < 1 ? [200, 200, 190] : [170, 70 + (row * 13) % 30, 50];
      }
      const zx = x - 0.55 * w;
      const zy = y - 0.3 * h;
      if (Math.abs(zx) < 0.12 * w && Math.abs(zy) < 0.18 * h) {
        const v = Math.round(127 + 127 * Math.cos((zx * zx + zy * zy) / 18));
        c = [v, v, v];
      }
      r.set(x, y, c);
    }
  return r;
}

/** Tile plan of the CiaoSR/tiled inference (core = white, patch with overlap = yellow dashed). */
async function tilesFigure(): Promise<Uint8Array> {
  const k = 2;
  const img = scene(192, 128);
  const out = new Raster(img.width * k, img.height * k);
  out.blit(img, 0, 0, k);
  const tiles = planTiles(img.height, img.width, { tile: 64, overlap: 8 });
  for (const t of tiles) {
    out.rect(t.patch.x0 * k, t.patch.y0 * k, t.patch.x1 * k, t.patch.y1 * k, [255, 220, 0], 1, 4);
    out.rect(t.core.x0 * k, t.core.y0 * k, t.core.x1 * k, t.core.y1 * k, [255, 255, 255], 2);
  }
  return out.png();
}

/** LocalSR ROI (red) and the padded window the base branch reads (cyan), next to the ROI crop enlarged. */
async function roiFigure(): Promise<Uint8Array> {
  const k = 2;
  const img = scene(192, 128);
  const roi: Roi = { x: 92, y: 22, width: 32, height: 32 };
  const win = paddedWindow(roi, img.height, img.width, 8);
  const zoom = 4;
  const out = new Raster(img.width * k + 12 + roi.width * zoom, Math.max(img.height * k, roi.height * zoom));
  out.blit(img, 0, 0, k);
  out.fill(0, 0, img.width * k, img.height * k, [0, 0, 0], 0.35);
  const crop = new Raster(roi.width, roi.height);
  for (let y = 0; y < roi.height; y++)
    for (let x = 0; x < roi.width; x++) {
      const i = ((roi.y + y) * img.width + roi.x + x) * 3;
      crop.set(x, y, [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!]);
    }
  out.blit(crop, roi.x * k, roi.y * k, k);
  out.rect(win.x0 * k, win.y0 * k, (win.x0 + win.width) * k, (win.y0 + win.height) * k, [0, 230, 255], 2, 6);
  out.rect(roi.x * k - 1, roi.y * k - 1, (roi.x + roi.width) * k + 1, (roi.y + roi.height) * k + 1, [255, 40, 40], 2);
  out.blit(crop, img.width * k + 12, 0, zoom);
  out.rect(img.width * k + 12, 0, img.width * k + 12 + roi.width * zoom, roi.height * zoom, [255, 40, 40], 2);
  return out.png();
}

/** Horizontal bar chart (no text: the guide's caption and table carry the labels). */
async function barChart(values: number[], colors: RGB[], opts: { log?: boolean } = {}): Promise<Uint8Array> {
  const barH = 18;
  const gap = 8;
  const W = 520;
  const H = values.length * (barH + gap) + gap;
  const out = new Raster(W, H, [250, 250, 252]);
  const f = (v: number) => (opts.log ? Math.log10(Math.max(v, 1e-3)) + 3 : v);
  const max = Math.max(...values.map(f));
  for (let i = 0; i < 11; i++) out.fill(Math.round(10 + ((W - 20) * i) / 10), 0, 1, H, [225, 225, 232]);
  values.forEach((v, i) => {
    const len = Math.max(2, Math.round(((W - 20) * f(v)) / max));
    out.fill(10, gap + i * (barH + gap), len, barH, colors[i % colors.length]!);
  });
  return out.png();
}

async function benchFigures(root: string): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  const lar = path.join(root, 'packages/lar-sr/bench/results/lar-sr.json');
  if (fs.existsSync(lar)) {
    const j = JSON.parse(fs.readFileSync(lar, 'utf8')) as { byPatch?: { variant: string; secondsPerStep: number }[] };
    const rows = j.byPatch ?? [];
    if (rows.length) out['bench-lar-sr.png'] = await barChart(rows.map((r) => r.secondsPerStep), rows.map((r) => (r.variant === 'lar' ? [70, 120, 220] : [230, 130, 40]) as RGB));
  }
  const met = path.join(root, 'packages/metrics/bench/results/metrics.json');
  if (fs.existsSync(met)) {
    const j = JSON.parse(fs.readFileSync(met, 'utf8')) as { rows?: { msPerMegapixel: number }[] };
    const rows = j.rows ?? [];
    if (rows.length) out['bench-metrics.png'] = await barChart(rows.map((r) => r.msPerMegapixel), [[60, 160, 110]], { log: true });
  }
  return out;
}

/** Writes every figure into `<root>/docs/guides/img`; returns the file names and sizes. */
export async function makeFigures(root: string): Promise<[string, number][]> {
  const dir = path.join(root, 'docs/guides/img');
  fs.mkdirSync(dir, { recursive: true });
  const figs: Record<string, Uint8Array> = { 'tiles.png': await tilesFigure(), 'roi-overlay.png': await roiFigure(), ...(await benchFigures(root)) };
  const written: [string, number][] = [];
  for (const [name, bytes] of Object.entries(figs)) {
    if (bytes.length > 300 * 1024) throw new Error(`${name} is ${bytes.length} bytes; keep figures under 300 KB`);
    fs.writeFileSync(path.join(dir, name), bytes);
    written.push([name, bytes.length]);
  }
  return written;
}
