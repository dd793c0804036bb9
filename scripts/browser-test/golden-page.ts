/**
 * Browser golden check (bundled by run.mjs, loaded in headless Chromium): runs the official-CiaoSR
 * golden case `ciaosr-edsr` (weights.pth + lq_raw_rand16 → img_rand16_x2, served read-only by the
 * test server from the shared fixtures) through the public `createUpscaler` API on each requested
 * backend, and reports the max |error| against the PyTorch output and between backends on
 * `window.srGolden`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, readNpy, type BackendName } from '@sr/core';
import { createUpscaler } from '@sr/ciaosr';

interface BackendRun {
  backend: string;
  summary: string;
  maxAbsVsGolden: number;
  ms: number;
  out: Float32Array;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`fixture ${url}: HTTP ${r.status} (are the shared fixtures beside the repository, or SR_SHARED set?)`);
  return new Uint8Array(await r.arrayBuffer());
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`size mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function run(backends: BackendName[]): Promise<unknown> {
  const base = '/fixtures/golden/ciaosr-edsr/';
  const [weights, lqBytes, imgBytes] = await Promise.all(['weights.pth', 'lq_raw_rand16.npy', 'img_rand16_x2.npy'].map((f) => fetchBytes(base + f)));
  const lq = readNpy(lqBytes); // [1, 3, h, w]
  const ref = readNpy(imgBytes); // [1, 3, H, W]
  const [, , h, w] = lq.shape;
  const [, , H, W] = ref.shape;
  const runs: BackendRun[] = [];
  for (const b of backends) {
    const report = await initBackend(b, { wasmPaths: new URL('/demo/dist/', location.href).href, allowSoftwareWebGPU: true });
    const sr = await createUpscaler({ weights });
    const x = tf.tidy(() => tf.transpose(tf.tensor4d(lq.data as Float32Array, [1, 3, h, w]), [0, 2, 3, 1]));
    const t0 = performance.now();
    const res = await sr.upscale(x, { scale: H / h });
    const hwc = res.toTensor();
    const chw = tf.transpose(hwc, [2, 0, 1]);
    const out = (await chw.data()) as Float32Array;
    const ms = performance.now() - t0;
    const [oh, ow] = hwc.shape;
    tf.dispose([x, hwc, chw]);
    res.dispose();
    sr.dispose();
    if (ow !== W || oh !== H) throw new Error(`${b}: output ${ow}×${oh}, expected ${W}×${H}`);
    runs.push({ backend: report.backend, summary: report.summary, maxAbsVsGolden: maxAbs(out, ref.data as Float32Array), ms, out });
  }
  const cross = runs.length > 1 ? maxAbs(runs[0].out, runs[1].out) : null;
  return {
    case: 'ciaosr-edsr img_rand16_x2',
    runs: runs.map(({ out: _out, ...r }) => r),
    maxAbsBetweenBackends: cross,
  };
}

const params = new URLSearchParams(location.search);
const backends = (params.get('backends') ?? 'cpu,webgpu').split(',') as BackendName[];
const g = globalThis as { srGolden?: unknown; srGoldenError?: string };
run(backends)
  .then((r) => (g.srGolden = r))
  .catch((e: Error) => (g.srGoldenError = `${e.name}: ${e.message}\n${e.stack ?? ''}`));
