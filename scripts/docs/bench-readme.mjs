#!/usr/bin/env node
// Renders each package's last benchmark results (packages/<pkg>/bench/results/*) as Markdown and puts
// them into its README between `<!-- bench:<pkg> -->` and `<!-- /bench:<pkg> -->`. Nothing is measured
// here: run a package's `npm run bench` first, then this script. @sr/core's table is the `core.md` that
// `writeBenchResults` wrote; the other packages keep their own JSON layouts, rendered below.
// A README whose start marker has no end marker (e.g. `<!-- bench:ciaosr -->` while its numbers are
// re-measured) is left alone.
//
// Usage: node scripts/docs/bench-readme.mjs [--check]   (--check: exit 1 if a README is out of date)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const results = (pkg, file) => join(root, 'packages', pkg, 'bench/results', file);
const readJson = (pkg) => JSON.parse(readFileSync(results(pkg, `${pkg}.json`), 'utf8'));

const day = (iso) => (iso ? String(iso).slice(0, 10) : 'unknown date');
const ms = (x) =>
  x == null ? '–' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : Number.isInteger(x) ? `${x} ms` : `${x.toFixed(x < 10 ? 2 : 1)} ms`;
const bytes = (b) => (!b ? '–' : b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : `${(b / 2 ** 20).toFixed(0)} MiB`);
const sentence = (s) => (s ? `${s[0].toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? '' : '.'}` : '');
const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];

/** One renderer per package: the lines between the markers. */
const renderers = {
  core() {
    // core.md starts with its own `## @sr/core benchmarks` heading; the README section has one already.
    const md = readFileSync(results('core', 'core.md'), 'utf8').trim().split('\n');
    return md[0].startsWith('## ') ? md.slice(1).join('\n').trim().split('\n') : md;
  },
  metrics() {
    const { env, rows } = readJson('metrics');
    return [
      `Last run ${day(env.date)}: ${env.backend} backend, node ${env.node}, ${env.cpus} CPUs. ${sentence(env.note)}`,
      '',
      ...table(
        ['metric', 'image', 'per image', 'per megapixel', 'repeats'],
        rows.map((r) => [r.metric, r.size.replace('x', '×'), ms(r.msPerImage), ms(r.msPerMegapixel), r.repeats]),
      ),
    ];
  },
  refvae() {
    const d = readJson('refvae');
    return [
      `Last run ${day(d.date)}, ×${d.scale}, random weights, one sample per call:`,
      '',
      ...table(
        ['backend', 'LR → SR', 'reference', 'seconds per sample', 'peak tensor memory', 'status'],
        d.rows.map((r) => [r.backend, `${r.input}² → ${r.output}²`, r.reference, r.secondsPerSample == null ? '–' : r.secondsPerSample.toFixed(1), bytes(r.peakBytes), r.status]),
      ),
      '',
      ...d.notes.map((n) => `- ${n}`),
    ];
  },
  vspsr() {
    const d = readJson('vspsr');
    const e = d.environment;
    const s = d.summary;
    const gens = { noise: 'uniform noise', upscaledPlusNoise: 'bilinear ×s of the LR + N(0, 0.1²) noise' };
    const psnr = (scale, gen, cem) => `${s[`x${scale}_${gen}_${cem}_meanLrPsnr`]} (${s[`x${scale}_${gen}_${cem}_worstLrPsnr`]})`;
    const scales = [...new Set(d.timing.map((r) => r.scale))];
    return [
      `Last run ${day(d.date)}: ${e.backendSummary} backend, ${e.cpuModel} (${e.cpus} CPUs), node ${e.node}. ${sentence(d.notes)}`,
      '',
      'Time per sample (full-size model, `nBasis` atoms):',
      '',
      ...table(
        ['scale', 'LR size', 'atoms', 'no CEM', 'MATLAB CEM', 'OpenCV CEM'],
        d.timing.map((r) => [`×${r.scale}`, `${r.lrSize}²`, r.nBasis, ms(r.msPerSample_noCem), ms(r.msPerSample_matlab), ms(r.msPerSample_opencv)]),
      ),
      '',
      `LR-PSNR (dB) of a synthetic SR candidate after each CEM on Set5 (${new Set(d.lrPsnr.map((r) => r.image)).size} images): mean (worst image).`,
      '',
      ...table(
        ['scale', 'SR candidate', 'no CEM', 'OpenCV CEM', 'MATLAB CEM'],
        scales.flatMap((sc) => Object.entries(gens).map(([g, label]) => [`×${sc}`, label, psnr(sc, g, 'none'), psnr(sc, g, 'opencv'), psnr(sc, g, 'matlab')])),
      ),
    ];
  },
};

const check = process.argv.includes('--check');
let stale = 0;
for (const [pkg, render] of Object.entries(renderers)) {
  const readme = join(root, 'packages', pkg, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const start = `<!-- bench:${pkg} -->`;
  const end = `<!-- /bench:${pkg} -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) {
    console.log(`${pkg}: no ${start} … ${end} block in README.md, skipped`);
    continue;
  }
  if (!existsSync(join(root, 'packages', pkg, 'bench/results'))) throw new Error(`${pkg}: no bench/results directory`);
  const next = `${text.slice(0, a + start.length)}\n${render().join('\n')}\n${text.slice(b)}`;
  if (next === text) continue;
  stale++;
  if (check) console.error(`${pkg}: README.md benchmark table is out of date (run node scripts/docs/bench-readme.mjs)`);
  else {
    writeFileSync(readme, next);
    console.log(`${pkg}: README.md benchmark table updated`);
  }
}
if (check && stale) process.exit(1);
