/** Checkpoints in a folder (Node): `<dir>/last.safetensors`, `<dir>/best.safetensors`, each written atomically. */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/files.js';
import type { CheckpointStore } from './checkpoint.js';

export function folderCheckpoints(dir: string): CheckpointStore {
  const path = (name: string) => join(dir, `${name}.safetensors`);
  return {
    write: (name, bytes) => writeFileAtomic(path(name), bytes),
    read: async (name) => (existsSync(path(name)) ? new Uint8Array(await readFile(path(name))) : undefined),
    where: path,
  };
}
