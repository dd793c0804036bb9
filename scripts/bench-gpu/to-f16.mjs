// Converts a tfjs layers model's float32 weights to float16 storage in tfjs' own format (weightsManifest
// `quantization: { dtype: "float16" }`, decoded to float32 at load): half the bytes to carry.
//   node scripts/bench-gpu/to-f16.mjs SRC/model.json DST/model.json
import * as fs from 'node:fs';
import * as path from 'node:path';
const [src, dst] = process.argv.slice(2);
const json = JSON.parse(fs.readFileSync(src, 'utf8'));
const dir = path.dirname(src);
const bufs = json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
const all = Buffer.concat(bufs);
const f32 = new Float32Array(all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength));
const f = new Float32Array(1), u = new Uint32Array(f.buffer);
function toHalf(v) {
  f[0] = v; const x = u[0];
  const sign = (x >>> 16) & 0x8000; let e = ((x >>> 23) & 0xff) - 127 + 15; let m = x & 0x7fffff;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) { if (e < -10) return sign; m |= 0x800000; const sh = 14 - e; let h = m >> sh; const r = m & ((1 << sh) - 1), half = 1 << (sh - 1); if (r > half || (r === half && (h & 1))) h++; return sign | h; }
  let h = (e << 10) | (m >> 13); const r = m & 0x1fff; if (r > 0x1000 || (r === 0x1000 && (h & 1))) h++; return sign | h;
}
const specs = json.weightsManifest.flatMap((g) => g.weights);
for (const s of specs) if (s.dtype !== 'float32') throw new Error(`${s.name}: ${s.dtype}`);
const out = new Uint16Array(f32.length);
for (let i = 0; i < f32.length; i++) out[i] = toHalf(f32[i]);
fs.mkdirSync(path.dirname(dst), { recursive: true });
fs.writeFileSync(path.join(path.dirname(dst), 'weights-f16.bin'), Buffer.from(out.buffer));
json.weightsManifest = [{ paths: ['weights-f16.bin'], weights: specs.map((s) => ({ ...s, quantization: { dtype: 'float16' } })) }];
fs.writeFileSync(dst, JSON.stringify(json));
console.log(`${f32.length} weights → ${dst}`);
