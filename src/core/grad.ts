/**
 * `variableGrads` with the memory of PyTorch's autograd: the same tape, the same gradient functions and the same
 * order of accumulation as tfjs's `tf.variableGrads` (so the same numbers, bit for bit), but each tape node's saved
 * tensors and its outputs' gradients are released as soon as the backward walk has passed the node. tfjs keeps both
 * until the whole backward pass ends, so a training step's peak held every forward activation *and* every gradient
 * of one at once; here it holds the forward activations still ahead and the gradients in flight. Measured on the
 * 2-D U-Net at 256², base 64 (unet2d-b64-256-train, onednn): peak RSS 1069 → ~800 MB, the time unchanged.
 *
 * It walks tfjs's tape through the engine's own recording (`startTape`/`endTape`, the tape nodes' `gradient`
 * closures and `saved` clones); nested gradients (a gradient taken inside another) fall back to `tf.variableGrads`.
 */
import { tf, type Scalar, type Tensor, type Variable, type NamedTensorMap } from './tf.js';

/** One recorded op (tfjs's TapeNode). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, Tensor>;
  outputs: Tensor[];
  gradient?: (dys: (Tensor | null)[]) => Record<string, () => Tensor>;
  saved?: Tensor[];
}
/** The parts of tfjs's Engine this walks (public in its JavaScript, not in its typings). */
interface EngineInternals {
  state: { gradientDepth: number; activeTape: TapeNode[] | null };
  startTape(): void;
  endTape(): void;
  scopedRun<R>(start: () => void, end: () => void, f: () => R): R;
  tidy<T>(name: string | (() => T), f?: () => T): T;
}

/** The nodes on a path from some x to y, with inputs not computed from an x pruned (as tfjs's tape does). */
function nodesFromXToY(tape: TapeNode[], xs: Tensor[], y: Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodeFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      for (const o of node.outputs) fromX.add(o.id);
      nodeFromX.add(node.id);
    }
  }
  const toY = new Set<number>([y.id]);
  const nodeToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => toY.has(o.id))) {
      for (const t of Object.values(node.inputs)) toY.add(t.id);
      nodeToY.add(node.id);
    }
  }
  const out: TapeNode[] = [];
  for (const node of tape) {
    if (!nodeFromX.has(node.id) || !nodeToY.has(node.id)) continue;
    const inputs: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(node.inputs)) if (fromX.has(t.id)) inputs[name] = t;
    out.push({ ...node, inputs });
  }
  return out;
}

/**
 * The value of `f` (a scalar) and its gradients with respect to `vars` (default: every trainable variable), by name,
 * as `tf.variableGrads` returns them: a variable that does not reach the value has no entry, a non-trainable one in
 * `vars` has `null`.
 */
export function variableGrads(f: () => Scalar, vars?: Variable[]): { value: Scalar; grads: NamedTensorMap } {
  const e = tf.engine() as unknown as EngineInternals;
  if (e.state.gradientDepth > 0) return tf.variableGrads(f, vars);
  const xs = (vars ?? Object.values(tf.engine().registeredVariables)).filter((v) => v.trainable);
  if (xs.length === 0) throw new Error('variableGrads: none of the variables is trainable');
  const y = e.scopedRun(() => e.startTape(), () => e.endTape(), () => e.tidy('forward', f));
  if (!(y instanceof tf.Tensor) || y.rank !== 0) throw new Error(`variableGrads: f must return a scalar tensor, got ${y instanceof tf.Tensor ? `rank ${y.rank}` : typeof y}`);
  const tape = e.state.activeTape!;
  const nodes = nodesFromXToY(tape, xs, y);
  if (nodes.length === 0) throw new Error('variableGrads: no variable is connected to the value of f');
  const grads = e.tidy('backward', () => {
    const acc = new Map<number, Tensor>();   // tensor id → its accumulated gradient
    const holders = new Map<Tensor, number>(); // a gradient tensor → how many acc entries hold it (gradient functions may alias)
    const hold = (id: number, g: Tensor) => { acc.set(id, g); holders.set(g, (holders.get(g) ?? 0) + 1); };
    const release = (id: number) => {
      const g = acc.get(id);
      if (!g) return;
      acc.delete(id);
      const n = (holders.get(g) ?? 1) - 1;
      if (n > 0) holders.set(g, n);
      else { holders.delete(g); g.dispose(); }
    };
    const wanted = new Set(xs.map((x) => x.id));
    hold(y.id, tf.onesLike(y));
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      if (!node.gradient) throw new Error(`variableGrads: no gradient is registered for ${node.kernelName}`);
      const inputGrads = node.gradient(node.outputs.map((o) => acc.get(o.id) ?? null));
      for (const [name, x] of Object.entries(node.inputs)) {
        if (!(name in inputGrads)) throw new Error(`variableGrads: the gradient of ${node.kernelName} has no entry for its input '${name}'`);
        const dx = e.tidy(() => inputGrads[name]());
        if (dx.dtype !== 'float32') throw new Error(`variableGrads: the gradient of ${node.kernelName} for '${name}' is ${dx.dtype}, not float32`);
        if (!tf.util.arraysEqual(dx.shape, x.shape)) throw new Error(`variableGrads: the gradient of ${node.kernelName} for '${name}' has shape ${dx.shape}, the input ${x.shape}`);
        const cur = acc.get(x.id);
        if (cur === undefined) hold(x.id, dx);
        else {
          const sum = tf.add(cur, dx);
          release(x.id);
          hold(x.id, sum);
          if (!holders.has(dx)) dx.dispose();
        }
      }
      // Walked past: nothing before this node reads its outputs' gradients or what it saved.
      for (const o of node.outputs) if (!wanted.has(o.id)) release(o.id);
      for (const t of node.saved ?? []) t.dispose();
    }
    return xs.map((x) => acc.get(x.id) ?? null);
  });
  for (const node of tape) for (const t of node.saved ?? []) t.dispose();
  e.state.activeTape = null;
  const named: NamedTensorMap = {};
  xs.forEach((x, i) => { if (grads[i]) named[x.name] = grads[i]!; });
  for (const v of vars ?? []) if (!v.trainable) (named as Record<string, Tensor | null>)[v.name] = null;
  return { value: y as Scalar, grads: named };
}
