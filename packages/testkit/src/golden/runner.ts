import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { toFloat32 } from '@sr/core';
import { openCase } from './case.js';
import { HANDLERS } from './handlers/index.js';
import type { GoldenContext, GoldenHandler, GoldenResult } from './types.js';

/** Finds the handler for a case, or throws naming the registered ones. */
export function handlerFor(ctx: GoldenContext): GoldenHandler {
  const h = HANDLERS.find((x) => x.match(ctx.name, ctx.json));
  if (!h) throw new Error(`no golden handler for case '${ctx.name}' (registered: ${HANDLERS.map((x) => x.name).join(', ') || 'none'})`);
  return h;
}

/** Writes a float32 `.npy` (v1.0, C order). */
export function writeNpyFile(file: string, shape: number[], data: Float32Array): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const buf = Buffer.alloc(10 + header.length + data.byteLength);
  buf.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  buf.writeUInt16LE(header.length, 8);
  buf.write(header, 10, 'latin1');
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(buf, 10 + header.length);
  fs.writeFileSync(file, buf);
}

/** Options of {@link runGoldenCase}. */
export interface RunGoldenOptions {
  /** Write each output as `<out>/<name>.npy`. */
  out?: string;
  /** Override the case's atol (e.g. a reduced-precision backend; never loosen cpu/wasm). */
  atol?: number;
}

/**
 * The `.npy` files `case.json` lists (its `files` map) that are not in the case folder. A reference
 * that is gone must fail the case: handlers only produce the outputs whose reference exists, so a
 * deleted reference would otherwise just shrink the comparison and pass.
 */
export function missingListedFiles(ctx: GoldenContext): string[] {
  const files = ctx.json.files;
  const listed = files && typeof files === 'object' ? (Array.isArray(files) ? files.map((f) => (typeof f === 'string' ? f : f?.name)) : Object.keys(files)) : [];
  return listed.filter((f): f is string => typeof f === 'string' && f.endsWith('.npy') && !ctx.has(f));
}

/**
 * Runs one golden case through its handler and compares every output with the stored `.npy`:
 * elementwise `|ts − ref| ≤ atol + rtol·|ref|` with the case's tolerance (default 1e-4 / 1e-4);
 * integer references (indices) must match exactly. A `.npy` that `case.json` lists but the folder
 * lacks gives a failing result (see {@link missingListedFiles}), and so does a case with no output.
 */
export async function runGoldenCase(nameOrDir: string, opts: RunGoldenOptions = {}): Promise<GoldenResult[]> {
  const ctx = openCase(nameOrDir);
  const handler = handlerFor(ctx);
  const tol = ctx.json.tolerance ?? {};
  const atol = opts.atol ?? (typeof tol.atol === 'number' ? tol.atol : 1e-4);
  const rtol = typeof tol.rtol === 'number' ? tol.rtol : 1e-4;
  const missing = missingListedFiles(ctx);
  const results: GoldenResult[] = missing.map((f) => ({
    output: f.replace(/\.npy$/, ''),
    shape: [],
    maxAbs: NaN,
    worstExcess: NaN,
    atol,
    rtol,
    pass: false,
    error: `reference file ${f} is listed in case.json but missing from ${ctx.dir}`,
  }));
  const outputs = await handler.run(ctx);
  try {
    if (opts.out) fs.mkdirSync(opts.out, { recursive: true });
    for (const [name, t] of Object.entries(outputs)) {
      const raw = await t.data();
      const got = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number>);
      if (opts.out) writeNpyFile(path.join(opts.out, `${name}.npy`), t.shape, got);
      const ref = ctx.npy(name);
      const refF = toFloat32(ref);
      const exact = !ref.dtype.startsWith('float');
      if (ref.shape.join() !== t.shape.join() && refF.length !== got.length)
        throw new Error(`${ctx.name}/${name}: shape [${t.shape}] vs reference [${ref.shape}]`);
      let maxAbs = 0;
      let worst = -Infinity;
      for (let i = 0; i < refF.length; i++) {
        const d = Math.abs(got[i] - refF[i]);
        if (!(d <= maxAbs)) maxAbs = d;
        const excess = exact ? d : d - (atol + rtol * Math.abs(refF[i]));
        if (!(excess <= worst)) worst = excess;
      }
      results.push({ output: name, shape: ref.shape, maxAbs, worstExcess: worst, atol: exact ? 0 : atol, rtol: exact ? 0 : rtol, pass: worst <= 0 });
    }
  } finally {
    tf.dispose(Object.values(outputs));
  }
  if (!Object.keys(outputs).length)
    results.push({ output: '(none)', shape: [], maxAbs: NaN, worstExcess: NaN, atol, rtol, pass: false, error: `handler '${handler.name}' produced no output to compare` });
  return results;
}

/** One line per output, for the CLI and test logs. */
export function formatResults(name: string, results: GoldenResult[]): string {
  return results
    .map((r) =>
      r.error
        ? `FAIL ${name}/${r.output}: ${r.error}`
        : `${r.pass ? 'ok  ' : 'FAIL'} ${name}/${r.output} [${r.shape}] max|Δ| = ${r.maxAbs.toExponential(2)} (atol ${r.atol}, rtol ${r.rtol})`,
    )
    .join('\n');
}
