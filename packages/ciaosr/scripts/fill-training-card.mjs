#!/usr/bin/env node
// `npm run card:training -w @sr/ciaosr`: renders the training records into MODEL_CARD.md — the shipped
// model's run (training/: <!-- runs:begin/end -->, <!-- heldout:begin/end -->), the run of its
// [64, 64]-head parent (training-h64/: <!-- runs-h64:… -->, …) and of the [128, 128] grandparent
// (training-h128/: <!-- runs-h128:… -->, <!-- heldout-h128:… -->).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPaths, replaceBetweenMarkers } from '../dist/cli/default-paths.js';
import { heldOutMarkdown, readRunLog, runLogMarkdown } from '../dist/cli/run-log.js';
import { CURVE_PHOTO } from '../dist/cli/train-data.js';

const p = defaultPaths(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
const runs = [
  { dir: 'training', suffix: '', stepZero: 'the [64, 64] parent (the file shipped from its step 1818) pruned to [32, 32] by `scripts/prune-head.mjs`' },
  { dir: 'training-h64', suffix: '-h64', stepZero: 'the [128, 128] grandparent (step 3822) pruned to [64, 64] by `scripts/prune-head.mjs`' },
  { dir: 'training-h128', suffix: '-h128', stepZero: 'the first built-in weights (37 minutes on six photos)' },
];
for (const r of runs) {
  const dir = path.join(p.packageDir, r.dir);
  if (!fs.existsSync(dir)) continue;
  replaceBetweenMarkers(p.modelCard, `runs${r.suffix}`, runLogMarkdown(readRunLog(path.join(dir, 'runs.json')), r.dir));
  replaceBetweenMarkers(p.modelCard, `heldout${r.suffix}`, heldOutMarkdown(path.join(dir, 'heldout.csv'), CURVE_PHOTO, 15, { dir: r.dir, stepZero: r.stepZero }));
  console.error(`filled ${p.modelCard} from ${dir}`);
}
