/**
 * Hand-made stage lists in the shapes the other architectures' `stages()` give (`NetStage`: gates of kind 'gate' at
 * the skip's level, U-Net++ nodes x_i_j with `column`, ViT tokens of kind 'tokens' at the patch grid's level,
 * deep-supervision heads of kind 'head'), with made-up but plausible channels and parameter counts. The layout's
 * unit test and the explorer's browser test draw them, so the drawing is checked on every kind of stage before those
 * architectures are registered. Nothing here is shown to users.
 */
import type { NetStage, StageKind } from '../../../src/index.js';

const stage = (name: string, kind: StageKind, level: number, inChannels: number, channels: number, size: number[], from: string[], extra: Partial<NetStage> = {}): NetStage =>
  ({ name, kind, module: name, level, inChannels, channels, size, params: inChannels * channels * 9, from, ...extra });

const at = (input: number[], level: number) => input.map((n) => Math.floor(n / 2 ** level));

/** MONAI BasicUNetPlusPlus-like: nodes x_i_j (level i, column j), four heads with deep supervision, their mean. */
export function unetppLike(input = [256, 256], features = [32, 32, 64, 128, 256]): NetStage[] {
  const out: NetStage[] = [stage('input', 'input', 0, 1, 1, input, [], { column: 0, params: 0 })];
  for (let j = 0; j <= 4; j++) {
    for (let i = 0; i + j <= 4; i++) {
      if (j === 0) out.push(stage(`x_${i}_0`, i === 4 ? 'bottleneck' : 'encoder', i, i === 0 ? 1 : features[i - 1], features[i], at(input, i), [i === 0 ? 'input' : `x_${i - 1}_0`], { column: 0 }));
      else out.push(stage(`x_${i}_${j}`, 'decoder', i, features[i] * (j + 1), features[i], at(input, i), [`x_${i + 1}_${j - 1}`, ...Array.from({ length: j }, (_, m) => `x_${i}_${m}`)], { column: j }));
    }
  }
  // Nodes in the order of their columns' data flow (the registry lists x_i_j with j outer as well).
  for (let j = 1; j <= 4; j++) out.push(stage(`head${j}`, 'head', 0, features[0], 2, input, [`x_0_${j}`], { column: j, detail: 'conv 1×1' }));
  out.push(stage('output', 'output', 0, 2, 2, input, ['head1', 'head2', 'head3', 'head4'], { column: 0, params: 0, detail: 'mean of the four heads' }));
  return out;
}

/** MONAI AttentionUnet-like: an attention gate per skip, at the skip's level, fed by the skip and the coarser decoder. */
export function attentionLike(input = [256, 256], channels = [16, 32, 64, 128, 256]): NetStage[] {
  const d = channels.length - 1;
  const out: NetStage[] = [stage('input', 'input', 0, 1, 1, input, [], { params: 0 })];
  for (let l = 0; l < d; l++) out.push(stage(`enc${l + 1}`, 'encoder', l, l === 0 ? 1 : channels[l - 1], channels[l], at(input, l), [l === 0 ? 'input' : `enc${l}`]));
  out.push(stage('bottleneck', 'bottleneck', d, channels[d - 1], channels[d], at(input, d), [`enc${d}`]));
  for (let l = d - 1; l >= 0; l--) {
    const coarser = l === d - 1 ? 'bottleneck' : `dec${d - l - 1}`;
    out.push(stage(`gate${l + 1}`, 'gate', l, channels[l], channels[l], at(input, l), [coarser, `enc${l + 1}`], { detail: 'W_g·up(g) + W_x·x → ReLU → ψ → sigmoid → x·α' }));
    out.push(stage(`dec${d - l}`, 'decoder', l, channels[l + 1] + channels[l], channels[l], at(input, l), [coarser, `gate${l + 1}`]));
  }
  out.push(stage('output', 'output', 0, channels[0], 2, input, [`dec${d}`]));
  return out;
}

/** TransUNet-like (R50-ViT-B/16): ResNet trunk, patch embedding and 12 transformer layers on the 1/16 grid, cascaded decoder. */
export function transunetLike(n = 224, layers = 12): NetStage[] {
  const g = n / 16;
  const out: NetStage[] = [
    stage('input', 'input', 0, 3, 3, [n, n], [], { params: 0 }),
    stage('root', 'encoder', 1, 3, 64, [n / 2, n / 2], ['input']),
    stage('block1', 'encoder', 2, 64, 256, [n / 4 - 1, n / 4 - 1], ['root']),
    stage('block2', 'encoder', 3, 256, 512, [n / 8, n / 8], ['block1']),
    stage('block3', 'encoder', 4, 512, 1024, [n / 16, n / 16], ['block2']),
    stage('embed', 'tokens', 4, 1024, 768, [g, g], ['block3']),
  ];
  for (let l = 0; l < layers; l++) out.push(stage(`layer${l}`, 'tokens', 4, 768, 768, [g, g], [l === 0 ? 'embed' : `layer${l - 1}`]));
  out.push(stage('conv_more', 'bottleneck', 4, 768, 512, [g, g], [`layer${layers - 1}`]));
  const skips = ['block2', 'block1', 'root'], dec = [256, 128, 64, 16];
  for (let i = 0; i < 4; i++) out.push(stage(`dec${i + 1}`, 'decoder', 3 - i, i === 0 ? 512 : dec[i - 1], dec[i], [g * 2 ** (i + 1), g * 2 ** (i + 1)], [i === 0 ? 'conv_more' : `dec${i}`, ...(i < 3 ? [skips[i]] : [])]));
  out.push(stage('head', 'output', 0, 16, 9, [n, n], ['dec4']));
  return out;
}

/** UNETR-like (3-D): 12 transformer blocks on the 1/16 grid; blocks 3, 6, 9 projected back up as encoders; decoder. */
export function unetrLike(input = [96, 96, 96]): NetStage[] {
  const g = at(input, 4);
  const out: NetStage[] = [stage('input', 'input', 0, 1, 1, input, [], { params: 0 }), stage('embed', 'tokens', 4, 1, 768, g, ['input'])];
  for (let b = 1; b <= 12; b++) out.push(stage(`block${b}`, 'tokens', 4, 768, 768, g, [b === 1 ? 'embed' : `block${b - 1}`]));
  out.push(stage('encoder1', 'encoder', 0, 1, 16, input, ['input']));
  out.push(stage('encoder2', 'encoder', 1, 768, 32, at(input, 1), ['block3']));
  out.push(stage('encoder3', 'encoder', 2, 768, 64, at(input, 2), ['block6']));
  out.push(stage('encoder4', 'encoder', 3, 768, 128, at(input, 3), ['block9']));
  out.push(stage('decoder5', 'decoder', 3, 768 + 128, 128, at(input, 3), ['block12', 'encoder4']));
  out.push(stage('decoder4', 'decoder', 2, 128 + 64, 64, at(input, 2), ['decoder5', 'encoder3']));
  out.push(stage('decoder3', 'decoder', 1, 64 + 32, 32, at(input, 1), ['decoder4', 'encoder2']));
  out.push(stage('decoder2', 'decoder', 0, 32 + 16, 16, input, ['decoder3', 'encoder1']));
  out.push(stage('output', 'output', 0, 16, 14, input, ['decoder2']));
  return out;
}

/** Every synthetic network by name. */
export const SYNTHETIC: Record<string, () => NetStage[]> = {
  'unetpp-like': () => unetppLike(),
  'unetpp-like-3d': () => unetppLike([96, 96, 96]),
  'attention-like': () => attentionLike(),
  'transunet-like': () => transunetLike(),
  'unetr-like': () => unetrLike(),
};
