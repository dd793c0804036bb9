/**
 * Peak memory of the bombs, measured in a child process (its own VmHWM, not jest's memory): a 3 MB
 * gzip that inflates to 3 GB, the same bomb behind a zip header with a 64 MB inflation limit, a zip
 * whose data.pkl declares 3 GB, and a PNG whose header claims 16000×16000 must all fail with their code
 * while the process stays small. The child runs core's source bundled by esbuild (no built dist/ needed).
 */
import { runChildScript } from './child-script.js';

test('bombs fail with a clear code and a small peak RSS (child process)', async () => {
  const res = await runChildScript(
    `
          import { zipSync, gzipSync } from 'fflate';
          import { readCheckpoint, decodeImage } from './src/index.ts';
          import { gzipBomb, forgeZipSize, pngFromRaw } from './test/hostile-builders.ts';
          const out = {};
          const code = async (name, p) => { try { await p; out[name] = 'no error'; } catch (e) { out[name] = e.code ?? String(e); } };
          const bomb = gzipBomb(3000); // 3000 × 1 MiB of zeros
          out.bombBytes = bomb.length;
          await code('gzipZeros', readCheckpoint(bomb));
          const head = new Uint8Array(1 << 20);
          head.set(zipSync({ 'a/data.pkl': new Uint8Array(8) }, { level: 0 }));
          await code('gzipZipHeaded', readCheckpoint(new Uint8Array([...gzipSync(head), ...bomb]), { maxInflateBytes: 64 << 20 }));
          const z = zipSync({ 'a/data.pkl': new Uint8Array(1000) }, { level: 9 });
          await code('zipDeclared', readCheckpoint(forgeZipSize(z, 'a/data.pkl', 3_000_000_000)));
          await code('pngHeader', decodeImage(pngFromRaw({ width: 16000, height: 16000 }, new Uint8Array(16))));
          // VmHWM (Linux): getrusage's maxRSS survives exec and would include the jest worker's RSS at fork.
          const hwm = /VmHWM:\\s*(\\d+)/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'));
          out.maxRssMB = Math.round((hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS) / 1024);
          console.log(JSON.stringify(out));`,
    { name: 'bomb-test' },
  );
  const out = JSON.parse(res.stdout.trim().split('\n').pop()!) as Record<string, string | number>;
  if (process.env.SR_SHOW_RSS) process.stderr.write(`${JSON.stringify(out)}\n`);
  expect(out.bombBytes).toBeLessThan(4_000_000);
  expect(out).toMatchObject({ gzipZeros: 'E_CHECKPOINT', gzipZipHeaded: 'E_INFLATE_LIMIT', zipDeclared: 'E_INFLATE_LIMIT', pngHeader: 'E_IMAGE_TOO_LARGE' });
  // Node + tfjs-core + the 3 MB bomb, its 1 MB head copy and at most 64 MB + one slice of output.
  expect(out.maxRssMB).toBeLessThan(400);
}, 90_000);
