import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import {
  decodeImage, encodeImage, encodeJpeg, encodePng, expectNoLeak, imageDataToTensor, imageToTensor, mergeAlpha,
  readImage, splitAlpha, tensorToImage, tensorToImageAsync, toImageData, toImageDataAsync, writeImage, type ImageArray,
} from '@sr/core';
import { sharedRoot } from '@sr/testkit';

function synth(channels: 1 | 2 | 3 | 4, bitDepth: 8 | 16, width = 7, height = 5): ImageArray {
  const n = width * height * channels;
  const max = bitDepth === 16 ? 65535 : 255;
  const data = bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = (i * 7919 + 31) % (max + 1);
  return { width, height, channels, bitDepth, data };
}

describe('PNG', () => {
  for (const bitDepth of [8, 16] as const)
    for (const channels of [1, 2, 3, 4] as const)
      it(`round trip ${bitDepth}-bit, ${channels} channel(s) is lossless`, async () => {
        const img = synth(channels, bitDepth);
        const back = await decodeImage(await encodePng(img));
        expect(back.channels).toBe(channels);
        expect(back.bitDepth).toBe(bitDepth);
        expect([back.width, back.height]).toEqual([img.width, img.height]);
        expect(Array.from(back.data)).toEqual(Array.from(img.data));
      });

  it('decodes the shared fixture PNGs as 8-bit RGB', async () => {
    const f = path.join(sharedRoot(), 'fixtures', 'lpips', 'ex_ref.png');
    if (!fs.existsSync(f)) throw new Error(`fixture missing: ${f}`);
    const img = await readImage(f);
    expect([img.width, img.height, img.channels, img.bitDepth]).toEqual([64, 64, 3, 8]);
  });

  it('writeImage/readImage through the file system', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-img-'));
    const img = synth(4, 16, 9, 4);
    await writeImage(path.join(tmp, 'a.png'), img);
    const back = await readImage(path.join(tmp, 'a.png'));
    expect(Array.from(back.data)).toEqual(Array.from(img.data));
    await expect(writeImage(path.join(tmp, 'a.bmp'), img)).rejects.toThrow(/\.png, \.jpg/);
    fs.rmSync(tmp, { recursive: true });
  });
});

/** A hand-made PNG (chunks written here) to cover colour types pngjs cannot encode (palette, 1-bit gray). */
function craftPng(w: number, h: number, depth: number, colorType: number, rows: number[][], extra: [string, number[]][] = []): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: number[]) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const u32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  const chunk = (type: string, data: number[]) => {
    const td = [...Array.from(type, (ch) => ch.charCodeAt(0)), ...data];
    return [...u32(data.length), ...td, ...u32(crc(td))];
  };
  const raw = Buffer.from(rows.flatMap((r) => [0, ...r]));
  return new Uint8Array([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
    ...chunk('IHDR', [...u32(w), ...u32(h), depth, colorType, 0, 0, 0]),
    ...extra.flatMap(([ty, d]) => chunk(ty, d)),
    ...chunk('IDAT', Array.from(zlib.deflateSync(raw))),
    ...chunk('IEND', []),
  ]);
}

describe('PNG colour types', () => {
  it('palette with tRNS → RGBA; palette without → RGB; 1-bit gray → 8-bit gray', async () => {
    const plte: [string, number[]] = ['PLTE', [255, 0, 0, 0, 255, 0, 0, 0, 255]];
    const withAlpha = await decodeImage(craftPng(2, 1, 8, 3, [[0, 2]], [plte, ['tRNS', [128, 255, 7]]]));
    expect(withAlpha.channels).toBe(4);
    expect(Array.from(withAlpha.data)).toEqual([255, 0, 0, 128, 0, 0, 255, 7]);
    const rgb = await decodeImage(craftPng(2, 1, 8, 3, [[1, 0]], [plte]));
    expect(rgb.channels).toBe(3);
    expect(Array.from(rgb.data)).toEqual([0, 255, 0, 255, 0, 0]);
    const bits = await decodeImage(craftPng(3, 1, 1, 0, [[0b10100000]]));
    expect([bits.channels, bits.bitDepth]).toEqual([1, 8]);
    expect(Array.from(bits.data)).toEqual([255, 0, 255]);
  });
});

describe('JPEG', () => {
  it('round trip is close at quality 95 and gray is written as RGB', async () => {
    const w = 32, h = 16;
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = 40 + x * 4 + y * 2 + c * 10;
    const img: ImageArray = { width: w, height: h, channels: 3, bitDepth: 8, data };
    const back = await decodeImage(await encodeJpeg(img, 95));
    expect([back.width, back.height, back.channels]).toEqual([w, h, 3]);
    let max = 0;
    for (let i = 0; i < data.length; i++) max = Math.max(max, Math.abs(back.data[i]! - data[i]!));
    expect(max).toBeLessThan(12);
    const gray = await decodeImage(await encodeImage(synth(1, 8, 8, 8), 'jpeg', 90));
    expect(gray.channels).toBe(3);
    await expect(encodeJpeg(img, 0)).rejects.toThrow(/quality/);
  });
});

describe('decode errors', () => {
  it('rejects empty, unknown and truncated input with InputError', async () => {
    await expect(decodeImage(new Uint8Array(0))).rejects.toMatchObject({ code: 'E_EMPTY_IMAGE' });
    await expect(decodeImage(new TextEncoder().encode('RIFF0000WEBPxxxx'))).rejects.toThrow(/unsupported image format \(WebP\)/);
    const png = await encodePng(synth(3, 8));
    await expect(decodeImage(png.subarray(0, 40))).rejects.toMatchObject({ name: 'InputError' });
    await expect(readImage('/nonexistent/x.png')).rejects.toThrow(/cannot read image file/);
    await expect(encodePng({ width: 0, height: 3, channels: 3, bitDepth: 8, data: new Uint8Array(0) })).rejects.toThrow(/empty/);
    await expect(encodePng({ width: 2, height: 2, channels: 5 as 3, bitDepth: 8, data: new Uint8Array(20) })).rejects.toThrow(/channel count/);
  });
});

describe('tensors', () => {
  it('imageToTensor / tensorToImage round trip (8 and 16 bit, alpha keep/drop)', async () => {
    const img = synth(4, 16);
    const t = await expectNoLeak(() => imageToTensor(img), 1);
    expect(t.shape).toEqual([1, 5, 7, 4]);
    expect(t.dataSync()[1]).toBeCloseTo(img.data[1]! / 65535, 7);
    const back = tensorToImage(t, { bitDepth: 16 });
    expect(Array.from(back.data)).toEqual(Array.from(img.data));
    const rgb = imageToTensor(img, { alpha: 'drop' });
    expect(rgb.shape).toEqual([1, 5, 7, 3]);
    const img8 = synth(3, 8);
    const t8 = imageToTensor(img8);
    expect(Array.from(tensorToImage(t8).data)).toEqual(Array.from(img8.data));
    expect(Array.from((await tensorToImageAsync(t8)).data)).toEqual(Array.from(img8.data));
    tf.dispose([t, rgb, t8]);
  });

  it('tensorToImage clips, rounds half to even like BasicSR tensor2img, rejects NaN', () => {
    const t = tf.tensor3d([-0.5, 1.5, 0.5 / 255, 1.5 / 255, 2.5 / 255, 0.2], [1, 2, 3]);
    const img = tensorToImage(t);
    expect(Array.from(img.data)).toEqual([0, 255, 0, 2, 2, 51]);
    const bad = tf.tensor3d([0, NaN, 0], [1, 1, 3]);
    expect(() => tensorToImage(bad)).toThrow(/NaN/);
    const wrong = tf.zeros([2, 2, 2, 3]);
    expect(() => tensorToImage(wrong)).toThrow(/expected \[H,W,C\]/);
    tf.dispose([t, bad, wrong]);
  });

  it('ImageData ↔ tensor and alpha split/merge', async () => {
    const data = new Uint8ClampedArray(2 * 3 * 4).map((_, i) => i * 10);
    const t = imageDataToTensor({ width: 3, height: 2, data }, { alpha: 'keep' });
    expect(t.shape).toEqual([1, 2, 3, 4]);
    const id = toImageData(t);
    expect(Array.from(id.data)).toEqual(Array.from(data));
    expect(Array.from((await toImageDataAsync(t)).data)).toEqual(Array.from(data));
    const { color, alpha } = await expectNoLeak(() => splitAlpha(t), 2);
    expect(color.shape).toEqual([1, 2, 3, 3]);
    expect(alpha!.shape).toEqual([1, 2, 3, 1]);
    const m = mergeAlpha(color, alpha);
    expect(Array.from(m.dataSync())).toEqual(Array.from(t.dataSync()));
    const rgbOnly = imageDataToTensor({ width: 3, height: 2, data });
    expect(rgbOnly.shape).toEqual([1, 2, 3, 3]);
    const rgbaFromRgb = toImageData(rgbOnly);
    expect(rgbaFromRgb.data[3]).toBe(255);
    expect(() => mergeAlpha(color, tf.zeros([1, 2, 2, 1]) as tf.Tensor4D)).toThrow(/does not fit/);
    expect(() => imageDataToTensor({ width: 3, height: 2, data: new Uint8ClampedArray(5) })).toThrow(/ImageData/);
    tf.dispose([t, color, alpha!, m, rgbOnly]);
  });
});
