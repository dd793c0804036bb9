// The whole app: the zero-configuration recipe of docs/guides/browser-demo.md. `?backend=` picks the
// backend (default auto); `?weights=` passes a weights URL (esbuild, which emits no asset for the
// package's built-in weights); without it the built-in model comes from the package.
import { createUpscaler } from '@sr/ciaosr';
import { decodeImage, initBackend } from '@sr/core';

const q = new URLSearchParams(location.search);
try {
  const report = await initBackend(q.get('backend') ?? 'auto');
  const weights = q.get('weights');
  const sr = await createUpscaler(weights ? { weights } : {});
  const bytes = new Uint8Array(await (await fetch('input.png')).arrayBuffer());
  const out = await sr.upscale(await decodeImage(bytes), { scale: 2 });
  const img = await out.toImageArray(8);
  out.dispose();
  sr.dispose();
  let bin = '';
  for (const b of img.data) bin += String.fromCharCode(b);
  globalThis.srResult = { backend: report.backend, weights: weights ?? 'built-in', width: img.width, height: img.height, channels: img.channels, data: btoa(bin) };
} catch (e) {
  globalThis.srError = String(e?.stack ?? e);
}
