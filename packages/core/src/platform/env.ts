/** True in Node.js (and not in a browser or worker). */
export const isNode = (): boolean =>
  typeof process !== 'undefined' && !!(process as { versions?: { node?: string } }).versions?.node && typeof (globalThis as { window?: unknown }).window === 'undefined';
