// Report part of the peer benchmark: means per (set, scale, method) from the quality cache, the
// timing medians, a markdown table (bench/results/peers.md), the combined JSON (bench/results/peers.json)
// and a quality-vs-time plot (docs/figures/peers-quality-vs-time.svg): Set5 ×4 Y-PSNR against the
// median time of ×4 of a 128² crop.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, RESULTS, readJson, writeJson } from './env.mjs';
import { QUALITY_FILE, ciaosrWeightsId, isOwnMethod } from './quality.mjs';
import { TIMING_FILE } from './timing.mjs';

const ORDER = ['bicubic', 'ciaosr', 'ciaosr-tile32', 'esrgan-thick', 'esrgan-medium', 'esrgan-slim', 'websr-cnn-2x-l-an'];
const LABEL = { bicubic: 'bicubic', ciaosr: '@sr/ciaosr built-in', 'ciaosr-tile32': '@sr/ciaosr built-in, tile 32', 'esrgan-thick': 'UpscalerJS esrgan-thick', 'esrgan-medium': 'UpscalerJS esrgan-medium', 'esrgan-slim': 'UpscalerJS esrgan-slim', 'websr-cnn-2x-l-an': 'WebSR cnn-2x-l-an' };
const label = (m) => LABEL[m] ?? m.replace(/^websr-/, 'WebSR ');
const WEBSR_FILE = path.join(RESULTS, 'peers-websr.json');
export const SVG_FILE = path.join(ROOT, 'docs/figures/peers-quality-vs-time.svg');
const IMAGES = { set5: 5, set14: 14 };

/** Means per set/scale/method; `n` says how many images are in (a partial run shows it). */
export function aggregate(rows) {
  const groups = new Map();
  for (const r of rows) {
    const k = `${r.set}|${r.scale}|${r.method}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(r);
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return [...groups.values()].map((rs) => ({
    set: rs[0].set,
    scale: rs[0].scale,
    method: rs[0].method,
    n: rs.length,
    psnr: +mean(rs.map((r) => r.psnr)).toFixed(3),
    ssim: +mean(rs.map((r) => r.ssim)).toFixed(4),
    lpips: rs.every((r) => r.lpips != null) ? +mean(rs.map((r) => r.lpips)).toFixed(4) : null,
  }));
}

function qualityTable(means, set) {
  const scales = [...new Set(means.filter((m) => m.set === set).map((m) => m.scale))].sort((a, b) => a - b);
  const present = [...new Set(means.filter((x) => x.set === set).map((x) => x.method))];
  const methods = [...ORDER.filter((m) => present.includes(m)), ...present.filter((m) => !ORDER.includes(m)).sort()];
  const lines = [`| ${set} | ${methods.map(label).join(' | ')} |`, `|---|${methods.map(() => '---').join('|')}|`];
  for (const s of scales) {
    const cells = methods.map((m) => {
      const x = means.find((y) => y.set === set && y.scale === s && y.method === m);
      if (!x) return '–';
      const partial = x.n < (IMAGES[set] ?? x.n) ? ` (${x.n}/${IMAGES[set]} images)` : '';
      return `${x.psnr.toFixed(2)} / ${x.ssim.toFixed(4)} / ${x.lpips == null ? '–' : x.lpips.toFixed(3)}${partial}`;
    });
    lines.push(`| ×${s} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * For an incomplete (set, scale): CiaoSR against each other method on the images both have, so
 * partial means are still compared like with like.
 */
function pairedNotes(rows, means, set) {
  const notes = [];
  for (const scale of [...new Set(means.filter((m) => m.set === set).map((m) => m.scale))].sort((a, b) => a - b)) {
    const at = means.filter((m) => m.set === set && m.scale === scale);
    if (at.every((m) => m.n === (IMAGES[set] ?? m.n)) || !at.some((m) => m.method === 'ciaosr')) continue;
    const own = new Map(rows.filter((r) => r.set === set && r.scale === scale && r.method === 'ciaosr').map((r) => [r.image, r.psnr]));
    const parts = [];
    for (const m of at.filter((x) => x.method !== 'ciaosr')) {
      const both = rows.filter((r) => r.set === set && r.scale === scale && r.method === m.method && own.has(r.image));
      if (!both.length) continue;
      const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
      parts.push(`${label(m.method)} ${mean(both.map((r) => r.psnr)).toFixed(2)} vs CiaoSR ${mean(both.map((r) => own.get(r.image))).toFixed(2)} dB (${both.length} images)`);
    }
    if (parts.length) notes.push(`- ${set} ×${scale}, incomplete; paired on common images: ${parts.join('; ')}.`);
  }
  return notes.length ? `${notes.join('\n')}\n` : '';
}

function timingTable(timing) {
  const lines = ['| job | method | parameters | median wall (s) | runs (s) | median CPU (s, all threads) | time ÷ thick |', '|---|---|---|---|---|---|---|'];
  for (const r of timing.results) {
    const thick = timing.results.find((x) => x.method === 'esrgan-thick' && x.scale === r.scale && x.size === r.size);
    const ratio = thick ? (r.median / thick.median).toFixed(2) : '–';
    lines.push(`| ×${r.scale} of ${r.size}² | ${LABEL[r.method] ?? r.method} | ${r.params?.toLocaleString('en-US') ?? '–'} | ${r.median.toFixed(2)} | ${r.times.map((t) => t.toFixed(2)).join(', ')} | ${r.cpuMedian?.toFixed(2) ?? '–'} | ${ratio} |`);
  }
  return lines.join('\n');
}

/** Set5 ×4 PSNR (y) against ×4-of-128² time (x, log scale), one labelled point per method. */
export function svgPlot(points, title, bicubicPsnr = null) {
  const W = 640, H = 400, L = 70, R = 200, T = 40, B = 50;
  const xs = points.map((p) => Math.log10(p.seconds));
  const ys = [...points.map((p) => p.psnr), ...(bicubicPsnr == null ? [] : [bicubicPsnr])];
  const [x0, x1] = [Math.floor(Math.min(...xs) * 2) / 2, Math.ceil(Math.max(...xs) * 2) / 2 || 1];
  const [y0, y1] = [Math.floor(Math.min(...ys) * 2) / 2 - 0.5, Math.ceil(Math.max(...ys) * 2) / 2 + 0.5];
  const px = (x) => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const py = (y) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
  const el = [`<rect width="${W}" height="${H}" fill="white"/>`, `<text x="${L}" y="22" font-size="14">${title}</text>`];
  for (let e = x0; e <= x1 + 1e-9; e += 0.5) {
    el.push(`<line x1="${px(e)}" y1="${T}" x2="${px(e)}" y2="${H - B}" stroke="#ddd"/>`);
    el.push(`<text x="${px(e)}" y="${H - B + 16}" font-size="11" text-anchor="middle">${+(10 ** e).toPrecision(2)} s</text>`);
  }
  for (let y = y0; y <= y1 + 1e-9; y += 0.5) {
    el.push(`<line x1="${L}" y1="${py(y)}" x2="${W - R}" y2="${py(y)}" stroke="#eee"/>`);
    el.push(`<text x="${L - 6}" y="${py(y) + 4}" font-size="11" text-anchor="end">${y.toFixed(1)}</text>`);
  }
  el.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" font-size="12" text-anchor="middle">median time, ×4 of a 128² crop (log scale)</text>`);
  el.push(`<text x="16" y="${(T + H - B) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 16 ${(T + H - B) / 2})">Set5 ×4 Y-PSNR (dB)</text>`);
  if (bicubicPsnr != null) {
    el.push(`<line x1="${L}" y1="${py(bicubicPsnr)}" x2="${W - R}" y2="${py(bicubicPsnr)}" stroke="#888" stroke-dasharray="5 4"/>`);
    el.push(`<text x="${W - R + 6}" y="${py(bicubicPsnr) + 4}" font-size="12" fill="#666">bicubic</text>`);
  }
  for (const p of points) {
    const own = p.method === 'ciaosr';
    el.push(`<circle cx="${px(Math.log10(p.seconds))}" cy="${py(p.psnr)}" r="6" fill="${own ? '#d62728' : '#1f77b4'}"/>`);
    el.push(`<text x="${px(Math.log10(p.seconds)) + 9}" y="${py(p.psnr) + 4}" font-size="12">${LABEL[p.method] ?? p.method}</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif">\n${el.join('\n')}\n</svg>\n`;
}

/**
 * The built-in CiaoSR against bicubic and the best JS peer at each (set, scale), for its model card:
 * the issue's acceptance test (≥ 0.3 dB Y-PSNR over the best peer, lower LPIPS) as a column.
 */
export function cardTable(means) {
  const lines = [
    '| set | scale | bicubic PSNR / LPIPS | built-in CiaoSR PSNR / LPIPS | best JS peer at this scale | its PSNR / LPIPS | Δ PSNR vs peer | ≥ +0.3 dB and lower LPIPS |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const cell = (m) => (m ? `${m.psnr.toFixed(2)} / ${m.lpips == null ? '–' : m.lpips.toFixed(3)}${m.n < (IMAGES[m.set] ?? m.n) ? ` (${m.n}/${IMAGES[m.set]} images)` : ''}` : '–');
  for (const set of ['set5', 'set14'])
    for (const scale of [...new Set(means.filter((m) => m.set === set).map((m) => m.scale))].sort((a, b) => a - b)) {
      const at = means.filter((m) => m.set === set && m.scale === scale);
      const own = at.find((m) => m.method === 'ciaosr');
      if (!own) continue;
      const bic = at.find((m) => m.method === 'bicubic');
      const peers = at.filter((m) => !isOwnMethod(m.method) && m.method !== 'bicubic' && m.n === (IMAGES[set] ?? m.n));
      const best = peers.sort((a, b) => b.psnr - a.psnr)[0];
      const whole = own.n === (IMAGES[set] ?? own.n);
      const delta = best && whole ? own.psnr - best.psnr : null;
      const met = delta == null ? '–' : delta >= 0.3 && (own.lpips ?? 1) < (best.lpips ?? 0) ? 'yes' : 'no';
      lines.push(`| ${set} | ×${scale} | ${cell(bic)} | ${cell(own)} | ${best ? label(best.method) : '– (none at this scale)'} | ${cell(best)} | ${delta == null ? '–' : `${delta >= 0 ? '+' : ''}${delta.toFixed(2)}`} | ${met} |`);
    }
  return lines.join('\n');
}

/** Tables of the side benchmarks (decode profile, configuration frontier, large images) when their JSON exists. */
function extraSections() {
  const out = [];
  const prof = readJson(path.join(RESULTS, 'ciaosr-decode-profile.json'), null);
  if (prof) {
    out.push(`### Where the built-in CiaoSR's time goes (scripts/profile-ciaosr-decode.mjs, ${prof.results[0]?.lr}² input, one tile, ${prof.threads} threads)`, '');
    out.push('| scale | queries | encoder (s) | non-local attention (s) | gather maps (s) | decode (s) | top decode kernels (s) |', '|---|---|---|---|---|---|---|');
    for (const r of prof.results)
      out.push(`| ×${r.scale} | ${r.queries.toLocaleString('en-US')} | ${r.seconds.encoder.toFixed(2)} | ${r.seconds.nonLocal.toFixed(2)} | ${r.seconds.prepare.toFixed(2)} | ${r.seconds.decode.toFixed(2)} | ${r.decodeKernels.filter((k) => !k.kernel.includes('__op ')).slice(0, 6).map((k) => `${k.kernel} ${k.seconds.toFixed(2)}`).join('; ')} |`);
    out.push('');
  }
  const cfg = readJson(path.join(RESULTS, 'ciaosr-configs.json'), null);
  if (cfg) {
    out.push(`### Configuration frontier, speed side (scripts/bench-ciaosr-configs.mjs, random weights, ${cfg.job}, ${cfg.threads} threads)`, '');
    out.push('| configuration | parameters | median (s) |', '|---|---|---|', ...cfg.rows.map((r) => `| ${r.label} | ${r.params.toLocaleString('en-US')} | ${r.medianS.toFixed(2)} |`), '');
  }
  // Only the default run's file: other `--out` files (e.g. a `--tile 32` run) belong to the code and
  // weights of their day, and a table beside today's defaults would read as a same-run comparison.
  const large = readJson(path.join(RESULTS, 'large-images.json'), null);
  if (large) {
    out.push(`### Large images (scripts/bench-large.mjs: \`ciaosr upscale\` with the defaults unless the job says otherwise, fresh process; photo ${large.photo}; load average at start ${large.machine.loadavg.join(', ')})`, '');
    out.push('| job | wall (s) | CPU (s, all threads) | peak RSS (MiB) | finished |', '|---|---|---|---|---|', ...large.rows.map((r) => `| ${r.job} | ${r.seconds} | ${r.cpuSeconds ?? '–'} | ${r.peakRssMiB} | ${r.ok ? 'yes' : `no (exit ${r.status})`} |`), '');
  }
  return out;
}

export function writeReport({ log } = {}) {
  const quality = readJson(QUALITY_FILE, { rows: {} });
  const timing = readJson(TIMING_FILE, null);
  const websr = readJson(WEBSR_FILE, null);
  // CiaoSR rows of other (earlier) built-in weights are left out; the current weights' id is printed.
  const weightsId = ciaosrWeightsId();
  const current = Object.values(quality.rows).filter((r) => !isOwnMethod(r.method) || r.weights === weightsId);
  const rows = [...current, ...(websr?.rows ?? [])];
  const means = aggregate(rows);
  const md = ['<!-- generated by `npm run bench:peers` (scripts/bench-peers.mjs); do not edit -->', ''];
  if (timing) {
    const m = timing.machine;
    md.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, Node ${m.node}; backend ${timing.backend}, ${timing.threads} WASM threads; ${timing.date.slice(0, 10)}; load average at start ${m.loadavg.join(', ')} (a shared machine: compare within the table only).`, '');
    md.push('### Time (same process, alternating, medians)', '', timingTable(timing), '');
  }
  md.push('### Quality: Y-PSNR (dB) / Y-SSIM / LPIPS-alex (RGB)', '', `LR = MATLAB bicubic of the HR mod-cropped to the scale, rounded to 8 bits; outputs rounded to 8 bits; border crop = scale. UpscalerJS has no ×6/×8/×12 model in this comparison (its ×8 is a separate network); CiaoSR was trained on ×1–×4, so ×6–×12 are out of distribution. Built-in CiaoSR weights: \`${weightsId}\` (SHA-256 prefix of \`packages/ciaosr/weights/default.safetensors\`).`, '');
  for (const set of ['set5', 'set14']) if (means.some((m) => m.set === set)) md.push(qualityTable(means, set), '', pairedNotes(rows, means, set));
  if (websr?.error) md.push(`WebSR: ${websr.error}`, '');
  else if (websr?.rows?.length) md.push(`WebSR ran in headless Chromium on ${websr.browser} (${websr.flags.join(' ')}); its variants are named by size (s/m/l) and training set (an = anime, rl = real life).`, '');
  md.push(...extraSections());
  const x4 = timing?.results.filter((r) => r.scale === 4 && r.size === 128) ?? [];
  const points = x4.map((r) => ({ method: r.method, seconds: r.median, psnr: means.find((m) => m.set === 'set5' && m.scale === 4 && m.method === r.method)?.psnr })).filter((p) => p.psnr != null);
  if (points.length) {
    fs.mkdirSync(path.dirname(SVG_FILE), { recursive: true });
    const bic = means.find((m) => m.set === 'set5' && m.scale === 4 && m.method === 'bicubic')?.psnr ?? null;
    fs.writeFileSync(SVG_FILE, svgPlot(points, `Set5 ×4 quality vs time (WASM, ${timing.threads} threads, same run)`, bic));
    md.push(`![Set5 ×4 PSNR vs time](../../docs/figures/${path.basename(SVG_FILE)})`, '');
  }
  fs.writeFileSync(path.join(RESULTS, 'peers.md'), md.join('\n'));
  // The README's benchmark section shows the same tables (between markers, so it stays generated).
  const readme = path.join(ROOT, 'README.md');
  const text = fs.readFileSync(readme, 'utf8');
  const [open, close] = ['<!-- bench:peers:start -->', '<!-- bench:peers:end -->'];
  if (text.includes(open) && text.includes(close)) {
    const body = md.slice(2).join('\n').replace('../../docs/figures/', 'docs/figures/');
    fs.writeFileSync(readme, `${text.slice(0, text.indexOf(open) + open.length)}\n${body}\n${text.slice(text.indexOf(close))}`);
  }
  // The built-in model's card shows its row of the comparison (between markers, generated).
  const card = path.join(ROOT, 'packages/ciaosr/MODEL_CARD.md');
  const cardText = fs.readFileSync(card, 'utf8');
  const [cOpen, cClose] = ['<!-- peers:begin -->', '<!-- peers:end -->'];
  if (cardText.includes(cOpen) && cardText.includes(cClose)) {
    const body = [`Generated by \`npm run bench:peers\` (${quality.backend ?? 'wasm'}; weights \`${weightsId}\`; per-image rows in \`bench/results/peers-quality.json\`). Y-PSNR in dB, border = scale; LPIPS-alex on RGB.`, '', cardTable(means)].join('\n');
    fs.writeFileSync(card, `${cardText.slice(0, cardText.indexOf(cOpen) + cOpen.length)}\n${body}\n${cardText.slice(cardText.indexOf(cClose))}`);
  }
  writeJson(path.join(RESULTS, 'peers.json'), { timing, backendQuality: quality.backend ?? null, means, websr: websr ? { error: websr.error ?? null, browser: websr.browser ?? null } : null });
  log?.(`wrote bench/results/peers.{json,md}${points.length ? ' and docs/figures/peers-quality-vs-time.svg' : ''}`);
}
