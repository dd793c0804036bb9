#!/usr/bin/env node
// The npm registry mirror reachable here 404s on some platform-specific optional binaries
// (@swc/core-darwin-arm64, …), so `npm install` leaves them out of package-lock.json and `npm ci`
// then refuses the lock as "out of sync". This adds the missing entries as optional, platform-tagged
// stubs (version from the parent's optionalDependencies, os/cpu/libc from the package name); npm ci
// skips them on non-matching platforms, exactly as it would skip the real ones.
// Run after any `npm install` that changes the lock: node scripts/fix-lock-optional.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const pkgs = lock.packages;
const declared = new Map();
for (const entry of Object.values(pkgs))
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) if (!declared.has(name)) declared.set(name, version);
const OS = { darwin: 'darwin', win32: 'win32', windows: 'win32', linux: 'linux', android: 'android', freebsd: 'freebsd', openharmony: 'openharmony' };
const CPU = ['arm64', 'x64', 'ia32', 'riscv64', 'loong64', 'ppc64', 's390x', 'arm', '64'];
let added = 0;
for (const [name, version] of declared) {
  const key = `node_modules/${name}`;
  if (pkgs[key] || !/(darwin|win32|windows|linux|android|freebsd|openharmony)/.test(name)) continue;
  const base = name.split('/').pop();
  const os = Object.keys(OS).find((o) => base.includes(o));
  let cpu = CPU.find((c) => new RegExp(`(^|-)${c}($|-)`).test(base));
  if (cpu === '64') cpu = 'x64';
  const entry = { version, optional: true, os: [OS[os]] };
  if (cpu) entry.cpu = [cpu];
  if (base.includes('musl')) entry.libc = ['musl'];
  else if (base.includes('gnu')) entry.libc = ['glibc'];
  pkgs[key] = entry;
  added++;
}
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`fix-lock-optional: added ${added} platform stub(s)`);
