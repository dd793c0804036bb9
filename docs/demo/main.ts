/**
 * The @sr browser demo: drop an image, pick a package and a scale, upscale in the tab (WebGPU when
 * the browser has a usable adapter, else WASM/WebGL/CPU), compare before/after and download.
 * Bundled by `npm run demo:build` (scripts/docs/build-demo.mjs) into docs/demo/dist/main.js.
 *
 * State for scripts and the browser test lives on `document.body.dataset` (`state`, `backend`,
 * `outWidth`, `outHeight`) and on `window.srDemo`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { imageDataToTensor, imresize, initBackend, type BackendName, type BackendReport } from '@sr/core';
import { createUpscaler, type Upscaler, type UpscaleProgress } from '@sr/ciaosr';
import { createLocalSR, type LocalSR, type Roi } from '@sr/localsr';

interface DemoConfig {
  /** Path of the built-in CiaoSR weights copied next to the bundle, or null when not installed. */
  defaultWeights: string | null;
}

interface DemoResult {
  width: number;
  height: number;
  /** Mean of the output pixels in [0, 1], per channel (what the browser test checks). */
  mean: number[];
  backend: string;
  ms: number;
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo: #${id} missing from index.html`);
  return el as T;
};

const state = {
  input: null as ImageData | null,
  report: null as BackendReport | null,
  upscaler: null as Upscaler | null,
  localsr: null as LocalSR | null,
  upscalerKey: '',
  abort: null as AbortController | null,
  result: null as DemoResult | null,
};

function setState(s: 'loading' | 'ready' | 'running' | 'done' | 'error', msg = ''): void {
  document.body.dataset.state = s;
  $('status').textContent = msg;
  const running = s === 'running';
  $<HTMLButtonElement>('run').disabled = running || !state.input || s === 'loading';
  $<HTMLButtonElement>('cancel').disabled = !running;
}

async function loadConfig(): Promise<DemoConfig> {
  try {
    const res = await fetch(new URL('dist/config.json', location.href));
    if (res.ok) return (await res.json()) as DemoConfig;
  } catch {
    /* no config: no built-in weights */
  }
  return { defaultWeights: null };
}

async function startBackend(name: BackendName): Promise<void> {
  setState('loading', `initialising ${name}…`);
  state.upscaler?.dispose();
  state.upscaler = null;
  state.localsr?.dispose();
  state.localsr = null;
  const params = new URLSearchParams(location.search);
  state.report = await initBackend(name, {
    wasmPaths: new URL('dist/', location.href).href,
    // Only when asked (?software-webgpu): on a software adapter WASM is much faster.
    allowSoftwareWebGPU: params.has('software-webgpu'),
    wasmThreads: globalThis.crossOriginIsolated ? Math.min(navigator.hardwareConcurrency || 1, 8) : undefined,
  });
  $('backend').textContent = state.report.summary;
  document.body.dataset.backend = state.report.backend;
  setState('ready', state.input ? 'ready' : 'drop an image to start');
}

function imageDataFromCanvas(src: CanvasImageSource, w: number, h: number): ImageData {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const ctx = c.getContext('2d');
  if (!ctx) throw new Error('2D canvas unavailable');
  ctx.drawImage(src, 0, 0);
  return ctx.getImageData(0, 0, w, h);
}

async function setInput(img: ImageData, name: string): Promise<void> {
  state.input = img;
  $('input-info').textContent = `${name}: ${img.width}×${img.height}`;
  setState('ready', 'ready');
}

async function loadFile(file: File): Promise<void> {
  const bmp = await createImageBitmap(file);
  await setInput(imageDataFromCanvas(bmp, bmp.width, bmp.height), file.name);
  bmp.close();
}

/**
 * The sample: the real photo crop that `@sr/ciaosr` ships (assets/sample.png, 128×96), copied next
 * to the bundle by build-demo.mjs; the synthetic test card when it is missing.
 */
async function sampleImage(): Promise<ImageData> {
  const res = await fetch(new URL('dist/sample.png', location.href)).catch(() => null);
  if (!res?.ok) return testCard();
  const bmp = await createImageBitmap(await res.blob());
  const img = imageDataFromCanvas(bmp, bmp.width, bmp.height);
  bmp.close();
  return img;
}

/** A small synthetic test image: colour gradients, a disc and fine stripes (aliasing shows). */
function testCard(w = 48, h = 48): ImageData {
  const d = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const disc = (x - w * 0.35) ** 2 + (y - h * 0.4) ** 2 < (w * 0.22) ** 2;
      const stripes = x > w * 0.62 && Math.floor(y / 2) % 2 === 0;
      d[i] = disc ? 230 : Math.round((255 * x) / w);
      d[i + 1] = stripes ? 20 : Math.round((255 * y) / h);
      d[i + 2] = disc ? 40 : 160;
      d[i + 3] = 255;
    }
  return new ImageData(d, w, h);
}

async function weightsChoice(cfg: DemoConfig, pkg: string): Promise<{ key: string; weights: 'random' | ArrayBuffer | string }> {
  const choice = (document.querySelector('input[name=weights]:checked') as HTMLInputElement | null)?.value ?? 'random';
  if (choice === 'default' && cfg.defaultWeights && pkg === 'ciaosr') return { key: 'default', weights: new URL(cfg.defaultWeights, location.href).href };
  if (choice === 'file') {
    const f = $<HTMLInputElement>('weights-file').files?.[0];
    if (!f) throw new Error('choose a weights file (.pth or .safetensors) or pick another weights option');
    return { key: `file:${f.name}:${f.size}:${f.lastModified}`, weights: await f.arrayBuffer() };
  }
  return { key: 'random', weights: 'random' };
}

async function tensorToImageData(t: tf.Tensor3D): Promise<ImageData> {
  const [h, w, c] = t.shape;
  const src = await t.data(); // async read: never stall the GPU pipeline
  const out = new Uint8ClampedArray(w * h * 4);
  for (let p = 0; p < w * h; p++) {
    for (let k = 0; k < 3; k++) out[p * 4 + k] = Math.round(src[p * c + k] * 255);
    out[p * 4 + 3] = c === 4 ? Math.round(src[p * c + 3] * 255) : 255;
  }
  return new ImageData(out, w, h);
}

function draw(canvas: HTMLCanvasElement, img: ImageData): void {
  canvas.width = img.width;
  canvas.height = img.height;
  canvas.getContext('2d')?.putImageData(img, 0, 0);
}

function showCompare(): void {
  const v = Number($<HTMLInputElement>('slider').value);
  $('after').style.clipPath = `inset(0 0 0 ${v}%)`;
  $('divider').style.left = `${v}%`;
}

/** The centred region LocalSR super-resolves: half the image in each dimension. */
function centreRoi(w: number, h: number): Roi {
  const width = Math.max(1, Math.round(w / 2));
  const height = Math.max(1, Math.round(h / 2));
  return { x: Math.floor((w - width) / 2), y: Math.floor((h - height) / 2), width, height };
}

function cropImageData(img: ImageData, r: Roi): ImageData {
  const out = new Uint8ClampedArray(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++) out.set(img.data.subarray(((r.y + y) * img.width + r.x) * 4, ((r.y + y) * img.width + r.x + r.width) * 4), y * r.width * 4);
  return new ImageData(out, r.width, r.height);
}

/** LocalSR: super-resolves the centred region (×4) with the whole image as context. */
async function upscaleRegion(cfg: DemoConfig): Promise<{ hr: tf.Tensor3D; lr: ImageData; ms: number }> {
  const input = state.input!;
  const { key, weights } = await weightsChoice(cfg, 'localsr');
  if (!state.localsr || state.upscalerKey !== `localsr:${key}`) {
    state.localsr?.dispose();
    setState('running', 'loading weights…');
    state.localsr = await createLocalSR(weights === 'random' ? {} : { weights: typeof weights === 'string' ? new URL(weights) : weights });
    state.upscalerKey = `localsr:${key}`;
  }
  const roi = centreRoi(input.width, input.height);
  state.abort = new AbortController();
  const signal = state.abort.signal;
  const t0 = performance.now();
  const x = imageDataToTensor(input, { alpha: 'drop' });
  try {
    $('status').textContent = 'prepare (global context)…';
    await state.localsr.prepare(x, { signal });
    $('status').textContent = `region ${roi.width}×${roi.height} at (${roi.x}, ${roi.y})…`;
    const region = await state.localsr.upscaleRegion(roi, { signal });
    const hr = region.toTensor();
    region.dispose();
    return { hr, lr: cropImageData(input, roi), ms: performance.now() - t0 };
  } finally {
    x.dispose();
  }
}

/** CiaoSR: the whole image at any scale. */
async function upscaleWhole(cfg: DemoConfig): Promise<{ hr: tf.Tensor3D; lr: ImageData; ms: number }> {
  const input = state.input!;
  const scale = Number($<HTMLInputElement>('scale').value);
  const { key, weights } = await weightsChoice(cfg, 'ciaosr');
  if (!state.upscaler || state.upscalerKey !== key) {
    state.upscaler?.dispose();
    setState('running', 'loading weights…');
    state.upscaler = await createUpscaler({ weights });
    state.upscalerKey = key;
  }
  state.abort = new AbortController();
  const t0 = performance.now();
  const out = await state.upscaler.upscale(input, {
    scale,
    signal: state.abort.signal,
    onProgress: (p: UpscaleProgress) => {
      $<HTMLProgressElement>('progress').value = p.total ? p.done / p.total : 0;
      $('status').textContent = `${p.stage} ${p.done}/${p.total} (tile ${p.tile + 1}/${p.tiles})`;
    },
  });
  const hr = out.toTensor();
  out.dispose();
  return { hr, lr: input, ms: performance.now() - t0 };
}

async function upscale(cfg: DemoConfig): Promise<DemoResult> {
  if (!state.input) throw new Error('no input image');
  const pkg = $<HTMLSelectElement>('package').value;
  const { hr, lr, ms } = pkg === 'localsr' ? await upscaleRegion(cfg) : await upscaleWhole(cfg);
  try {
    const img = await tensorToImageData(hr);
    const mean = Array.from(await tf.tidy(() => tf.mean(tf.reshape(hr, [-1, hr.shape[2]]), 0)).data());
    draw($<HTMLCanvasElement>('after'), img);
    // "Before": MATLAB-exact bicubic of the input to the same size (what the paper's tables compare against).
    const bic = tf.tidy(() => {
      const rgb = imageDataToTensor(lr, { alpha: 'drop' }); // [1, h, w, 3] in [0, 1]
      return tf.squeeze(tf.clipByValue(imresize(rgb, { height: img.height, width: img.width }), 0, 1), [0]) as tf.Tensor3D;
    });
    draw($<HTMLCanvasElement>('before'), await tensorToImageData(bic));
    bic.dispose();
    $<HTMLCanvasElement>('after').toBlob((b) => {
      if (b) $<HTMLAnchorElement>('download').href = URL.createObjectURL(b);
    }, 'image/png');
    return { width: img.width, height: img.height, mean, backend: state.report?.backend ?? '?', ms };
  } finally {
    hr.dispose();
  }
}

async function main(): Promise<void> {
  const cfg = await loadConfig();
  if (cfg.defaultWeights) {
    $('weights-default-label').hidden = false;
    (document.querySelector('input[name=weights][value=default]') as HTMLInputElement).checked = true;
  } else {
    (document.querySelector('input[name=weights][value=random]') as HTMLInputElement).checked = true;
  }
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files?.[0];
    if (f) loadFile(f).catch((err: Error) => setState('error', err.message));
  });
  $<HTMLInputElement>('file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) loadFile(f).catch((err: Error) => setState('error', err.message));
  });
  $('sample').addEventListener('click', () => {
    sampleImage()
      .then((img) => setInput(img, 'sample photo'))
      .catch((err: Error) => setState('error', err.message));
  });
  $('slider').addEventListener('input', showCompare);
  $('backend-select').addEventListener('change', (e) => {
    startBackend((e.target as HTMLSelectElement).value as BackendName).catch((err: Error) => setState('error', err.message));
  });
  $('cancel').addEventListener('click', () => state.abort?.abort());
  $('package').addEventListener('change', (e) => {
    const local = (e.target as HTMLSelectElement).value === 'localsr';
    const scale = $<HTMLInputElement>('scale');
    scale.disabled = local;
    if (local) scale.value = '4';
    $('package-hint').textContent = local ? 'LocalSR super-resolves the centred region (half the image) ×4, using the whole image as context.' : '';
  });
  $('run').addEventListener('click', () => {
    setState('running', 'starting…');
    upscale(cfg)
      .then((r) => {
        state.result = r;
        const random = state.upscalerKey.endsWith('random');
        $('mode-banner').hidden = !random;
        $('result').hidden = false;
        showCompare();
        $('result-info').textContent = `${r.width}×${r.height}, ${r.ms.toFixed(0)} ms on ${r.backend}${random ? ' (random weights)' : ''}`;
        document.body.dataset.outWidth = String(r.width);
        document.body.dataset.outHeight = String(r.height);
        $<HTMLProgressElement>('progress').value = 1;
        setState('done', `done in ${(r.ms / 1000).toFixed(2)} s`);
      })
      .catch((err: Error) => setState(err.name === 'AbortError' ? 'ready' : 'error', err.name === 'AbortError' ? 'cancelled' : err.message));
  });
  (globalThis as { srDemo?: unknown }).srDemo = { state, tf };
  await startBackend('auto');
}

main().catch((err: Error) => setState('error', `demo failed to start: ${err.message}`));
