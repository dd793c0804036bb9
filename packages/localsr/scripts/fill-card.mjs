#!/usr/bin/env node
// `npm run card -w @sr/localsr [-- report.json]`: renders bench/results/builtin.json (written by
// `npm run train:builtin`) into MODEL_CARD.md between <!-- train/eval:begin --> and <!-- train/eval:end -->.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinCardMarkdown } from '../dist/builtin-card.js';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const report = JSON.parse(fs.readFileSync(process.argv[2] ?? path.join(pkg, 'bench', 'results', 'builtin.json'), 'utf8'));
const card = path.join(pkg, 'MODEL_CARD.md');
let text = fs.readFileSync(card, 'utf8');
for (const [name, body] of Object.entries(builtinCardMarkdown(report))) {
  const [b, e] = [`<!-- ${name}:begin -->`, `<!-- ${name}:end -->`];
  const i = text.indexOf(b);
  const j = text.indexOf(e);
  if (i < 0 || j < i) throw new Error(`${card}: markers ${b} … ${e} not found`);
  text = `${text.slice(0, i + b.length)}\n${body.trim()}\n${text.slice(j)}`;
}
fs.writeFileSync(card, text);
console.error(`filled ${card}`);
