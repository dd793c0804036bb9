/**
 * File discovery and pairing for the `sr-metrics` CLI.
 * @module
 */
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { InputError } from '@sr/core';

const IMAGE_EXT = /\.(png|jpe?g)$/i;

/** Image files (PNG/JPEG) directly inside `dir`, sorted by name. */
export async function listImages(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new InputError(`cannot read folder ${dir}: ${(e as Error).message}`, 'E_IO');
  }
  return names.filter((n) => IMAGE_EXT.test(n)).sort();
}

const stem = (f: string) => f.replace(/\.[^.]+$/, '');

/** One GT image and what it is compared with. */
export interface Pair {
  name: string;
  gt: string;
  sr?: string;
  samples?: string[];
}

/**
 * Pairs GT files with SR files of the same name (or the same name with another extension) and with
 * the images of the `samples/<gt stem>/` sub-folder. GT files with nothing to compare (`unmatched`) and
 * SR files that no GT file claims (`extraSr`) are reported, for the caller to refuse or warn.
 */
export async function pairFiles(gtDir: string, srDir?: string, samplesDir?: string): Promise<{ pairs: Pair[]; unmatched: string[]; extraSr: string[] }> {
  const gts = await listImages(gtDir);
  if (!gts.length) throw new InputError(`no PNG/JPEG images in ${gtDir}`, 'E_IO');
  const srs = srDir ? await listImages(srDir) : [];
  const byStem = new Map(srs.map((f) => [stem(f), f]));
  const pairs: Pair[] = [];
  const unmatched: string[] = [];
  const used = new Set<string>();
  for (const g of gts) {
    const pair: Pair = { name: g, gt: path.join(gtDir, g) };
    if (srDir) {
      const s = srs.includes(g) ? g : byStem.get(stem(g));
      if (s) {
        pair.sr = path.join(srDir, s);
        used.add(s);
      }
    }
    if (samplesDir) {
      const sub = path.join(samplesDir, stem(g));
      const isDir = await stat(sub).then((s) => s.isDirectory(), () => false);
      if (isDir) {
        const files = await listImages(sub);
        if (files.length) pair.samples = files.map((f) => path.join(sub, f));
      }
    }
    if ((srDir && !pair.sr) || (samplesDir && !pair.samples)) unmatched.push(g);
    if (pair.sr || pair.samples) pairs.push(pair);
  }
  if (!pairs.length)
    throw new InputError(`no GT image in ${gtDir} has a matching SR file${samplesDir ? ' or samples sub-folder' : ''} (pairing is by file name)`, 'E_IO');
  return { pairs, unmatched, extraSr: srs.filter((f) => !used.has(f)) };
}
