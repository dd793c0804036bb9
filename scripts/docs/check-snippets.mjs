#!/usr/bin/env node
// Type-checks every ```ts code block of docs/guides/*.md (and the browser demo and test pages)
// against the packages' sources. Each block becomes one ES module (.mts, so top-level await works)
// under node_modules/.cache/sr-doc-snippets/, then one `tsc --noEmit` runs over all of them.
// Errors are reported as guide.md:line. Exit code 1 on any error.
//
// Usage: npm run docs:check   (node scripts/docs/check-snippets.mjs [--keep])
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const guidesDir = join(root, 'docs/guides');
const outDir = join(root, 'node_modules/.cache/sr-doc-snippets');

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

/** file name → { guide, line } of the block's first code line. */
const origin = new Map();
let count = 0;
for (const guide of readdirSync(guidesDir).filter((f) => f.endsWith('.md')).sort()) {
  const lines = readFileSync(join(guidesDir, guide), 'utf8').split('\n');
  let block = null;
  lines.forEach((text, i) => {
    if (block === null && /^```(ts|typescript)\s*$/.test(text)) block = { start: i + 2, lines: [] };
    else if (block !== null && /^```\s*$/.test(text)) {
      const name = `${guide.replace(/\.md$/, '')}-${String(++count).padStart(2, '0')}.mts`;
      // `export {}` keeps each snippet a module even when it imports nothing.
      writeFileSync(join(outDir, name), `${block.lines.join('\n')}\nexport {};\n`);
      origin.set(name, { guide, line: block.start });
      block = null;
    } else if (block !== null) block.lines.push(text);
  });
  if (block !== null) throw new Error(`${guide}: unterminated code block starting at line ${block.start - 1}`);
}

const rel = (p) => relative(outDir, join(root, p));
const tsconfig = {
  extends: rel('tsconfig.base.json'),
  compilerOptions: {
    noEmit: true,
    baseUrl: rel('.'),
    // Guides are Node scripts: `@sr/core` and `@sr/ciaosr` resolve to their Node entries as in Node.
    paths: { '@sr/core': ['packages/core/src/node.ts'], '@sr/ciaosr': ['packages/ciaosr/src/node.ts'], '@sr/*/node': ['packages/*/src/node.ts'], '@sr/*': ['packages/*/src/index.ts'] },
    types: ['node'],
    noUnusedLocals: false,
  },
  // The demo and browser-test pages are type-checked here too (they are not in any package).
  files: [...origin.keys(), rel('docs/demo/main.ts'), rel('scripts/browser-test/golden-page.ts'), rel('scripts/docs/figures.ts')],
};
writeFileSync(join(outDir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));

const t0 = Date.now();
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(outDir, 'tsconfig.json'), '--pretty', 'false'], {
  cwd: outDir,
  encoding: 'utf8',
});
const out = `${tsc.stdout}${tsc.stderr}`;
// Keep only errors in the snippets, demo and test pages: package sources are checked by `npm run typecheck`.
const own = [];
const others = new Set();
for (const line of out.split('\n').filter(Boolean)) {
  const m = /^(.+?)\((\d+),(\d+)\): (error .*)$/.exec(line);
  if (!m) {
    if (own.length) own[own.length - 1] += `\n${line}`;
    continue;
  }
  const file = m[1].replace(/^.*sr-doc-snippets\//, '');
  const o = origin.get(file);
  if (o) own.push(`docs/guides/${o.guide}:${o.line + Number(m[2]) - 1}: ${m[4]}`);
  else if (/docs\/demo\/|scripts\/(browser-test|docs)\//.test(m[1])) own.push(`${relative(root, resolve(outDir, m[1]))}:${m[2]}: ${m[4]}`);
  else others.add(relative(root, resolve(outDir, m[1])));
}
if (others.size) console.log(`(ignored: errors inside package sources, see npm run typecheck: ${[...others].join(', ')})`);
if (!process.argv.includes('--keep')) rmSync(outDir, { recursive: true, force: true });
if (own.length) {
  console.error(own.join('\n'));
  console.error(`docs:check: ${own.length} error(s) in ${count} snippets + demo (${Date.now() - t0} ms)`);
  process.exit(1);
}
console.log(`docs:check: ${count} snippets from docs/guides, the demo and the browser-test page type-check (${Date.now() - t0} ms)`);
