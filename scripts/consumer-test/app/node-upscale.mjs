// Node: upscale a PNG with the built-in CiaoSR model, zero configuration beyond the backend.
// Usage: node node-upscale.mjs <input.png> <scale> <out.json>
import { writeFileSync } from 'node:fs';
import { createUpscaler } from '@sr/ciaosr';
import { initBackend, readImage } from '@sr/core';

const [input, scale, outFile] = process.argv.slice(2);
const t0 = Date.now();
const report = await initBackend('wasm');
const sr = await createUpscaler();
const out = await sr.upscale(await readImage(input), { scale: Number(scale) });
const img = await out.toImageArray(8);
out.dispose();
sr.dispose();
writeFileSync(outFile, JSON.stringify({ width: img.width, height: img.height, channels: img.channels, data: Buffer.from(img.data).toString('base64') }));
console.log(`${report.backend}, ${Date.now() - t0} ms`);
