export * from './tensor-data.js';
export * from './npy.js';
export * from './checkpoint.js';
export * from './safetensors.js';
export { readPthObject, isGzip, isZip, gunzip, type CheckpointLimitOptions } from './pth.js';
export { unpickle, PyGlobal, PyObject, type PickleGlobals } from './pickle.js';
export { torchGlobals } from './torch-globals.js';
export * from './weights-file.js';
export { sourceBytes, sourceName } from './source.js';
