/**
 * The run folder a user reads: `config.json` (the run's options, label mapping included), `metrics.jsonl` (one line
 * per logged iteration or validation), and `curve.svg` (training loss and validation score), rewritten each epoch.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/files.js';
import type { LogRecord } from './trainer.js';

export class RunFolder {
  private readonly losses: [number, number][] = [];
  private readonly scores: [number, number][] = [];
  /** Writes run one after another, so metrics.jsonl keeps the order of the records. */
  private pending: Promise<void> = Promise.resolve();

  constructor(readonly dir: string) {}

  /** Writes config.json; `resumed`: the curve goes on from the records already in metrics.jsonl. */
  async init(config: Record<string, unknown>, resumed = false): Promise<void> {
    await mkdir(this.dir, { recursive: true }).catch((e: Error) => { throw new Error(`${this.dir}: cannot create the run folder (${e.message})`); });
    await writeFileAtomic(join(this.dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
    const metrics = join(this.dir, 'metrics.jsonl');
    if (resumed && existsSync(metrics)) {
      for (const l of (await readFile(metrics, 'utf8')).split('\n')) {
        if (!l.trim()) continue;
        try {
          const rec = JSON.parse(l) as LogRecord;
          if (rec.kind === 'iter' && typeof rec.loss === 'number') this.losses.push([rec.iter, rec.loss]);
          if (rec.kind === 'epoch' && typeof rec.metrics?.score === 'number') this.scores.push([rec.iter, rec.metrics.score]);
        } catch { /* a line cut by a kill: skipped */ }
      }
    }
  }

  log(rec: LogRecord): Promise<void> {
    if (rec.kind === 'iter' && rec.loss !== undefined) this.losses.push([rec.iter, rec.loss]);
    if (rec.kind === 'epoch' && rec.metrics && Number.isFinite(rec.metrics.score)) this.scores.push([rec.iter, rec.metrics.score]);
    const line = rec.kind === 'epoch' || rec.iter % 10 === 0 || rec.iter === 1 ? JSON.stringify(rec) + '\n' : undefined;
    const svg = rec.kind === 'epoch' ? curveSvg(this.losses, this.scores) : undefined;
    this.pending = this.pending.then(async () => {
      const metrics = join(this.dir, 'metrics.jsonl');
      if (line) await appendFile(metrics, line).catch((e: Error) => { throw new Error(`${metrics}: cannot write (${e.message})`); });
      if (svg) await writeFileAtomic(join(this.dir, 'curve.svg'), svg);
    });
    return this.pending;
  }

  /** Resolves when every record so far is on disk. */
  flush(): Promise<void> {
    return this.pending;
  }
}

/** An SVG line plot: loss (left axis, blue) and validation score (right axis 0…1, amber) against iterations. */
export function curveSvg(loss: [number, number][], score: [number, number][]): string {
  const W = 640, H = 320, L = 56, R = 56, T = 24, B = 40;
  const maxIt = Math.max(1, ...loss.map((p) => p[0]), ...score.map((p) => p[0]));
  const smooth = loss.map(([it], i) => {
    const win = loss.slice(Math.max(0, i - 19), i + 1);
    return [it, win.reduce((s, p) => s + p[1], 0) / win.length] as [number, number];
  });
  const maxLoss = Math.max(1e-6, ...smooth.map((p) => p[1]));
  const sx = (it: number) => L + ((W - L - R) * it) / maxIt;
  const sy = (v: number, max: number) => T + (H - T - B) * (1 - v / max);
  const path = (pts: [number, number][], max: number) => pts.map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y, max).toFixed(1)}`).join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">
<rect width="${W}" height="${H}" fill="white"/>
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#444"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#444"/><line x1="${W - R}" y1="${T}" x2="${W - R}" y2="${H - B}" stroke="#444"/>
${ticks.map((f) => `<text x="${L - 6}" y="${sy(f * maxLoss, maxLoss) + 4}" text-anchor="end" fill="#1f5fbf">${(f * maxLoss).toPrecision(2)}</text><text x="${W - R + 6}" y="${sy(f, 1) + 4}" fill="#c77800">${f.toFixed(2)}</text>`).join('')}
${ticks.map((f) => `<text x="${sx(f * maxIt)}" y="${H - B + 16}" text-anchor="middle">${Math.round(f * maxIt)}</text>`).join('')}
<text x="${(W - L - R) / 2 + L}" y="${H - 6}" text-anchor="middle">iteration</text>
<text x="${L}" y="${T - 8}" fill="#1f5fbf">training loss (mean of 20)</text><text x="${W - R}" y="${T - 8}" text-anchor="end" fill="#c77800">validation score</text>
<path d="${path(smooth, maxLoss)}" fill="none" stroke="#1f5fbf" stroke-width="1.5"/>
<path d="${path(score, 1)}" fill="none" stroke="#c77800" stroke-width="2"/>
${score.map(([x, y]) => `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y, 1).toFixed(1)}" r="3" fill="#c77800"/>`).join('')}
</svg>
`;
}
