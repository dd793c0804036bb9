/**
 * Renders the built-in weights' report (`bench/results/builtin.json`, written by `train:builtin`) as the
 * model card's training and evaluation sections (`npm run card -w @sr/localsr`).
 * @module
 */

interface MeanSe {
  mean: number;
  se: number;
  n: number;
  wins?: number;
}

/** Markdown of the `train` and `eval` parts of a `builtin.json` report. */
export function builtinCardMarkdown(r: {
  date: string;
  backend: string;
  train: Record<string, unknown> & { tailSteps: number; moduleSteps: number; tailSeconds: number; moduleSeconds: number; photos: number };
  eval: { photos: string[]; crop: number; roi: number; rois: number; methods: Record<string, MeanSe>; differences: Record<string, MeanSe> };
}): { train: string; eval: string } {
  const t = r.train;
  const f = (x: number, d = 2) => x.toFixed(d);
  const train = [
    `Trained ${r.date.slice(0, 10)} on ${r.backend} (1 thread): ${t.photos} photos; tail ${t.tailSteps} steps in ${f(t.tailSeconds / 60, 1)} min ` +
      `(L1 ${f(Number(t.tailLossFirst25), 4)} → ${f(Number(t.tailLossLast25), 4)}, means of 25 steps), GCM/PIM ${t.moduleSteps} steps in ${f(t.moduleSeconds / 60, 1)} min ` +
      `(Eq. 7 loss ${f(Number(t.moduleLossFirst25), 4)} → ${f(Number(t.moduleLossLast25), 4)}). Batch ${t.batch}, tail crops ${t.tailCrop}², contexts ${t.context}² with a centred ${t.roi}² ROI, ` +
      `lr ${t.tailLr} (tail) / ${t.moduleLr} (modules), cosine; seed ${t.seed}.`,
  ].join('\n');
  const e = r.eval;
  const lines = [
    `Held-back photos ${e.photos.map((p) => `\`${p}\``).join(', ')} (centre ${e.crop}² crop, LR by MATLAB bicubic ×1/4); ${e.rois} ROIs of ${e.roi}² LR pixels ` +
      '(non-overlapping tiles), each super-resolved with the whole LR image as context; RGB PSNR per ROI, no border crop (paper §4.1). Mean ± standard error over ROIs.',
    '',
    '| method | ROI PSNR (dB) |',
    '|---|---|',
    ...Object.entries(e.methods).map(([k, v]) => `| ${k} | ${f(v.mean)} ± ${f(v.se)} |`),
    '',
    '| paired difference | mean ± s.e. (dB) | ROIs where the first is better |',
    '|---|---|---|',
    ...Object.entries(e.differences).map(([k, v]) => `| ${k} | ${v.mean >= 0 ? '+' : ''}${f(v.mean, 3)} ± ${f(v.se, 3)} | ${v.wins} / ${v.n} |`),
  ];
  return { train, eval: lines.join('\n') };
}
