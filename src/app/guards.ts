/**
 * Guards of the Node workflows (train, predict): outputs that never overwrite inputs, a lock on a run folder, a run
 * folder's files checked before anything is written, orphan temporary files cleaned, and a memory estimate of a
 * training step / a predict window checked against the machine before any work.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { freemem, hostname, totalmem } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { stagesOf } from '../models/registry.js';
import type { NetSpec } from '../models/types.js';

/** The real path of `p`: symlinks of the part that exists followed, the part that does not yet exist appended. */
export function realPath(p: string): string {
  let head = resolve(p);
  const tail: string[] = [];
  while (!existsSync(head)) {
    const parent = dirname(head);
    if (parent === head) break;
    tail.unshift(basename(head));
    head = parent;
  }
  let real = head;
  try { real = realpathSync(head); } catch { /* unreadable: compare as given */ }
  return join(real, ...tail);
}

/** Whether `child` is `parent` or lies inside it (both real paths). */
export function isWithin(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/**
 * Refuses an output folder that is, contains or lies inside an input folder (real paths, so symlinks and `..` do not
 * hide it), and one that is an input file. `inputs`: the inputs as given, with the flag that named each.
 */
export function checkOutputFolder(out: string, outFlag: string, inputs: { path: string; flag: string }[]): void {
  const o = realPath(out);
  for (const i of inputs) {
    const r = realPath(i.path);
    const isDir = existsSync(r) && statSync(r).isDirectory();
    if (!isDir) {
      if (o === r) throw new Error(`${outFlag} ${out} is the input file ${i.flag} ${i.path}; rule: outputs never overwrite inputs — give another ${outFlag} folder`);
      continue;
    }
    const what = o === r ? 'is' : isWithin(o, r) ? 'lies inside' : isWithin(r, o) ? 'contains' : undefined;
    if (what) throw new Error(`${outFlag} ${out} ${what} the input folder ${i.flag} ${i.path}; rule: the output folder must be outside every input folder, so that no input is overwritten — give another ${outFlag}`);
  }
}

/** Refuses any output file whose real path is one of the inputs'. */
export function checkNoOverwrite(outputs: string[], inputs: string[], outFlag = '--out'): void {
  const ins = new Map(inputs.map((p) => [realPath(p), p]));
  for (const f of outputs) {
    const hit = ins.get(realPath(f));
    if (hit) throw new Error(`${f}: this output would overwrite the input ${hit}; rule: outputs never overwrite inputs — give another ${outFlag}`);
  }
}

/** Removes `*.tmp` files that an interrupted atomic write (`NAME.<pid>.<time>.tmp`) left in `dir`; returns their names. */
export function removeOrphanTmp(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const gone: string[] = [];
  for (const n of readdirSync(dir)) {
    const m = n.match(/\.(\d+)\.\d+\.tmp$/);
    if (!m) continue;
    if (Number(m[1]) !== process.pid && pidAlive(Number(m[1]))) continue; // another live process is writing it
    rmSync(join(dir, n), { force: true });
    gone.push(n);
  }
  return gone;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Run-folder lock

export const LOCK_FILE = '.lock';

export interface LockHolder { pid: number; host: string; startedAt: string; command: string }

function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

const describe = (h: LockHolder | undefined) => (h ? `process ${h.pid} on host ${h.host}, started ${h.startedAt}${h.command ? ` (${h.command})` : ''}` : 'an unreadable lock file');

/** Whether the lock's holder is gone: a dead process on this host. A holder on another host is never presumed dead. */
function stale(h: LockHolder | undefined): boolean {
  return !!h && h.host === hostname() && h.pid !== process.pid && !pidAlive(h.pid);
}

/** Throws when `dir` is locked by a live process (the check done before any work; `lockRunFolder` takes the lock). */
export function checkRunFolderFree(dir: string): void {
  const path = join(dir, LOCK_FILE);
  if (!existsSync(path)) return;
  const h = readHolder(path);
  if (!stale(h)) throw busy(dir, path, h);
}

function busy(dir: string, path: string, h: LockHolder | undefined): Error {
  return new Error(`${dir}: the run folder is in use by ${describe(h)}; rule: one training writes a run folder at a time — wait for it to finish, or, if that process is certainly gone, delete ${path}`);
}

/**
 * Takes the lock of run folder `dir` (created if missing): `dir/.lock` holding pid, host and start time, created
 * exclusively. A lock of a dead process on this host is taken over (`onNote` says so). Returns the release function
 * (also run at process exit).
 */
export function lockRunFolder(dir: string, onNote: (msg: string) => void = (m) => console.error(m)): () => void {
  const path = join(dir, LOCK_FILE);
  try { mkdirSync(dir, { recursive: true }); } catch (e) { throw new Error(`${dir}: cannot create the run folder (${(e as Error).message})`); }
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: process.argv.slice(2).join(' ').slice(0, 200) };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`${path}: cannot create the run folder's lock (${(e as Error).message})`);
      const h = readHolder(path);
      if (!stale(h)) throw busy(dir, path, h);
      onNote(`note: ${dir} was locked by ${describe(h)}, which is no longer running; taking the lock over`);
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, JSON.stringify(me) + '\n');
    closeSync(fd);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off('exit', release);
      try {
        if (readHolder(path)?.pid === process.pid) unlinkSync(path);
      } catch { /* already gone */ }
    };
    process.on('exit', release);
    return release;
  }
  throw busy(dir, path, readHolder(path));
}

// ---------------------------------------------------------------------------------------------------------------
// Memory estimates

/** Bytes of a Node process running tfjs before any tensor (code, heap, the backend): measured ≈ 250 MB, rounded up. */
export const BASE_BYTES = 400e6;
/**
 * Float32 values kept per activation element (Σ (in + out channels) × voxels over the stages) in a training step: the
 * forward intermediates kept for the backward pass and their gradients. Measured on small2d (oneDNN, 256×256, base 16
 * and 32, batch 4–16): ≈ 4 (114 MB per 256² sample at base 16; base ≈ 330 MB); 6 keeps the estimate ≈ 1.45× above the
 * measured peak RSS (base 16 batch 4: 1.13 GB estimated, 0.78 GB measured; batch 16: 3.2 / 2.15; base 32 batch 8:
 * 3.2 / 2.2).
 */
export const TRAIN_FACTOR = 6;
/** The same for a forward pass without gradients (intermediates freed as it goes; a few live at once). */
export const INFER_FACTOR = 4;

/** Elements of the activations of one sample through the network at `input`: Σ over stages of (in + out channels) × voxels. */
export function activationElements(spec: NetSpec, input: readonly number[]): number {
  let n = 0;
  for (const s of stagesOf(spec, input)) {
    const vox = s.size.reduce((a, b) => a * b, 1);
    n += (s.inChannels + s.channels) * vox;
    if (s.kind === 'tokens') n += 12 * vox * vox; // self-attention maps (12 heads, tokens²)
  }
  return n;
}

/**
 * A conservative estimate of the peak bytes of one training step: the process's base, the batch's activations
 * (`TRAIN_FACTOR` float32 per stage element: forward intermediates and their gradients), and four float32 copies of
 * the parameters (weights, gradients, Adam's m and v), plus the prefetched input batches.
 */
export function trainStepBytes(spec: NetSpec, patch: readonly number[], batch: number, params: number, inChannels: number): number {
  const vox = patch.reduce((a, b) => a * b, 1);
  return BASE_BYTES + 4 * (batch * TRAIN_FACTOR * activationElements(spec, patch) + 4 * params + 3 * batch * vox * (inChannels + 2));
}

/**
 * A conservative estimate of the peak bytes of predicting one input of `voxels` voxels: the base, `swBatch` windows'
 * forward activations, the weights, and the whole-input buffers (image, normalised copy, probability and weight maps,
 * labels: ≈ 4 × (2 × channels + 2 × classes + 2) bytes per voxel).
 */
export function predictBytes(spec: NetSpec, window: readonly number[], swBatch: number, params: number, voxels: number, channels: number, classes: number): number {
  return BASE_BYTES + 4 * (swBatch * INFER_FACTOR * activationElements(spec, window) + params + voxels * (2 * channels + 2 * Math.max(classes, 2) + 2));
}

const gb = (b: number) => `${(b / 1e9).toFixed(b < 10e9 ? 2 : 0)} GB`;

/**
 * Refuses an estimate above the machine's memory (`os.totalmem()`), naming both and what to change; warns (through
 * `onNote`) when it exceeds the memory free now. `what` names the workload, `fix` the flags that lower it.
 */
export function checkMemory(estimate: number, what: string, fix: string, onNote: (m: string) => void = (m) => console.error(m), machine = { total: totalmem(), free: freemem() }): void {
  if (estimate > machine.total) {
    throw new Error(`${what} needs an estimated ${gb(estimate)} of memory; this machine has ${gb(machine.total)} (${gb(machine.free)} free) — ${fix}, or pass --no-memory-check to run it anyway`);
  }
  if (estimate > machine.free) onNote(`warning: ${what} needs an estimated ${gb(estimate)}; ${gb(machine.free)} of this machine's ${gb(machine.total)} is free now`);
}
