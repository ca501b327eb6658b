/**
 * Browser tests of the U-Net explorer: builds web/ into dist-web/, serves it on a free port and drives Debian's
 * headless Chromium through playwright-core. Each page must load without a console error; the 3-D page offers every
 * preset of every registered architecture and draws each (and hand-made stage lists of the kinds the other
 * architectures give) with one shape per stage and no two labels overlapping, and its click inspects a stage; the shape flow follows the preset and explains an invalid size; a skip toggle changes the mask
 * and its Dice; training in the browser lowers the loss; the WASM fallback works. Screenshots go to
 * artifacts/explorer/. Skipped, with the reason printed, where /usr/bin/chromium is missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { presets, presetSpec, geometryOf, stagesOf, architectures, shapeReport, nearestValidSizes, type NetStage, type ResolvedUNetOptions } from '../src/index.js';
import { SYNTHETIC } from './src/lib/synthetic-stages.js';
import { startStaticServer } from '../scripts/static-server.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';
const PAGES = ['arch', 'flow', 'skips', 'volume', 'segment', 'train'];
const shots = join(repoRoot, 'artifacts', 'explorer');
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install -y chromium; scripts/setup.sh installs it)`;
if (missing) console.log(`# explorer browser tests skipped: ${missing}`);

let browser: Browser, server: Server, url: string;

before(async () => {
  if (missing) return;
  const build = spawnSync(process.execPath, [join(repoRoot, 'scripts/build-gradients.mjs')], { stdio: 'inherit' });
  assert.equal(build.status, 0, 'build-gradients failed');
  const vite = join(createRequire(import.meta.url).resolve('vite/package.json'), '..', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', join(repoRoot, 'web/vite.config.ts'), '--logLevel', 'warn'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, `vite build failed:\n${r.stdout}\n${r.stderr}`);
  ({ server, url } = await startStaticServer({ root: join(repoRoot, 'dist-web') }));
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** A fresh page at `#id` (with a query string), its console errors collected; resolves once the page has mounted. */
async function open(id: string, query = '', setup?: (p: Page) => void): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  setup?.(page);
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  await page.goto(`${url}${query}#${id}`);
  await page.waitForSelector(`[data-testid=page-${id}][data-ready=true]`, { timeout: 120_000 });
  return { page, errors };
}

const text = async (page: Page, testid: string) => (await page.textContent(`[data-testid=${testid}]`)) ?? '';
const fmt = (n: number) => n.toLocaleString('en-US');
/** A U-Net preset's resolved options, for the U-Net plan functions. */
const unetOptions = (preset: string) => presetSpec(preset).options as ResolvedUNetOptions;

interface Rect { x0: number; y0: number; x1: number; y1: number }
type ArchHooks = {
  screenOf(n: string): { x: number; y: number } | undefined;
  labelRects(): { name: string; rect: Rect }[];
  drawStages(title: string, stages: NetStage[]): void;
};
// Inside page.evaluate: the 3-D page's hooks (a Node-side helper would not exist in the page).

/**
 * What the 3-D page drew for `stages` (its data-* counts and its label rectangles on screen) against the list: one
 * shape and one label per stage, one line per from[] entry, no label overlapping another or leaving the canvas.
 */
async function checkDrawing(page: Page, what: string, stages: NetStage[]): Promise<void> {
  const d = await page.$eval('[data-testid=arch-canvas]', (e) => ({ ...(e as HTMLElement).dataset }));
  assert.equal(Number(d.stages), stages.length, `${what}: stages`);
  assert.equal(Number(d.shapes), stages.length, `${what}: one shape per stage`);
  assert.equal(Number(d.labels), stages.length, `${what}: one label per stage`);
  assert.equal(Number(d.edges), stages.reduce((a, s) => a + s.from.length, 0), `${what}: one edge per from[] entry`);
  assert.equal(d.unknownInputs, '', `${what}: inputs that are no stage`);
  assert.equal(d.labelOverlaps, '0', `${what}: the page counts overlapping labels`);
  const rects = await page.evaluate(() => (window as unknown as { explorerArch: ArchHooks }).explorerArch.labelRects());
  const canvas = await page.$eval('[data-testid=arch-canvas] canvas', (c) => { const r = c.getBoundingClientRect(); return { x0: r.left, y0: r.top, x1: r.right, y1: r.bottom }; });
  assert.equal(rects.length, stages.length);
  const overlaps: string[] = [];
  for (let i = 0; i < rects.length; i++) {
    const a = rects[i].rect;
    assert.ok(a.x0 >= canvas.x0 - 1 && a.x1 <= canvas.x1 + 1 && a.y0 >= canvas.y0 - 1 && a.y1 <= canvas.y1 + 1, `${what}: label ${rects[i].name} leaves the canvas`);
    for (let j = i + 1; j < rects.length; j++) {
      const b = rects[j].rect;
      if (a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1) overlaps.push(`${rects[i].name}/${rects[j].name}`);
    }
  }
  assert.deepEqual(overlaps, [], `${what}: overlapping labels`);
}

test('every page loads without a console error and names its backend', { skip: missing, timeout: 300_000 }, async () => {
  for (const id of PAGES.filter((p) => p !== 'train')) {
    const { page, errors } = await open(id);
    await page.waitForTimeout(300);
    const backend = await page.getAttribute('#backend', 'data-backend');
    assert.ok(backend && ['webgpu', 'webgl', 'wasm', 'cpu'].includes(backend), `page ${id}: backend badge ${backend}`);
    await page.screenshot({ path: join(shots, `${id}.png`), fullPage: true });
    assert.deepEqual(errors, [], `page ${id}: console errors`);
    await page.close();
  }
});

test('3-D architecture: clicking a block shows its stage in the card', { skip: missing, timeout: 120_000 }, async () => {
  const { page, errors } = await open('arch');
  const stage = stagesOf(presetSpec('ronneberger2015'), [572, 572]).find((s) => s.name === 'bottleneck')!;
  const at = (await page.evaluate(() => (window as unknown as { explorerArch: ArchHooks }).explorerArch.screenOf('bottleneck')))!;
  await page.mouse.click(at.x, at.y);
  await page.waitForSelector('[data-testid=layer-details]');
  const details = await text(page, 'layer-details');
  assert.match(details, /^bottleneck/);
  assert.ok(details.includes(`${stage.inChannels} → ${stage.channels}`) && details.includes(stage.size.join('×')) && details.includes(fmt(stage.params)), details);
  await page.screenshot({ path: join(shots, 'arch-selected.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('3-D architecture: every preset of every registered architecture is offered, grouped, and drawn from its stages', { skip: missing, timeout: 240_000 }, async () => {
  const { page, errors } = await open('arch');
  const offered = await page.$$eval('[data-testid=preset] option', (o) => o.map((e) => (e as HTMLOptionElement).value));
  assert.deepEqual([...offered].sort(), presets.names().sort(), 'the menu offers every preset of the registry');
  if (architectures.names().length > 1) {
    const groups = await page.$$eval('[data-testid=preset] optgroup', (g) => g.map((e) => e.getAttribute('label')));
    assert.deepEqual(groups, architectures.names(), 'one group per architecture');
  }
  for (const name of presets.names()) {
    await page.selectOption('[data-testid=preset]', name);
    await page.waitForFunction((n) => document.querySelector('[data-testid=arch-canvas]')?.getAttribute('data-preset') === n, name);
    const spec = presetSpec(name);
    const g = geometryOf(spec);
    const stages = stagesOf(spec, g.fixed ? [...g.fixed] : presets.get(name).defaultInput);
    await checkDrawing(page, name, stages);
    const kinds = await page.$$eval('[data-testid=arch-legend] [data-kind]', (s) => s.map((e) => e.getAttribute('data-kind')));
    assert.deepEqual(new Set(kinds), new Set(stages.map((s) => s.kind)), `${name}: the legend names the kinds drawn`);
    await page.locator('[data-testid=arch-canvas]').screenshot({ path: join(shots, `arch-${spec.arch}-${name}.png`) });
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('3-D architecture: gates, nested nodes, tokens and heads are drawn by the same rules (hand-made stage lists)', { skip: missing, timeout: 180_000 }, async () => {
  const { page, errors } = await open('arch');
  for (const [name, make] of Object.entries(SYNTHETIC)) {
    const stages = make();
    await page.evaluate(([t, s]) => (window as unknown as { explorerArch: ArchHooks }).explorerArch.drawStages(t, s), [name, stages] as [string, NetStage[]]);
    await checkDrawing(page, name, stages);
    await page.locator('[data-testid=arch-canvas]').screenshot({ path: join(shots, `arch-synthetic-${name}.png`) });
    // A click on a shape of each special kind shows that stage.
    for (const kind of ['gate', 'tokens', 'head'] as const) {
      const s = stages.find((q) => q.kind === kind);
      if (!s) continue;
      const at = (await page.evaluate((n) => (window as unknown as { explorerArch: ArchHooks }).explorerArch.screenOf(n), s.name))!;
      await page.mouse.click(at.x, at.y);
      await page.waitForSelector(`[data-testid=layer-details][data-stage="${s.name}"]`);
      const details = await text(page, 'layer-details');
      assert.ok(details.includes(`kind${kind}`) && details.includes(fmt(s.params)), `${name}: ${details}`);
    }
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('shape flow: the preset switch updates the table; crops and invalid sizes come from the plan', { skip: missing, timeout: 120_000 }, async () => {
  const { page, errors } = await open('flow');
  assert.ok((await text(page, 'stage-table')).includes('31,030,658'));
  await page.click('[data-testid=skip-4]');
  assert.match(await text(page, 'crop-text'), /H: \(64 − 56\) \/ 2 = 4 per side/);
  await page.selectOption('[data-testid=preset]', 'seed2d');
  await page.waitForFunction(() => document.querySelector('[data-testid=stage-table]')?.textContent?.includes('13,390,209'));
  const table = await text(page, 'stage-table');
  assert.ok(table.includes('256×256') && !table.includes('31,030,658'), table);
  // An input that breaks a rule: the rule and the nearest valid sizes, as the library computes them.
  await page.selectOption('[data-testid=preset]', 'ronneberger2015');
  await page.fill('[data-testid=input-size]', '570x572');
  await page.press('[data-testid=input-size]', 'Enter');
  await page.waitForSelector('[data-testid=size-problem]:not([hidden])');
  const near = nearestValidSizes(unetOptions('ronneberger2015'), 570);
  const problem = await text(page, 'size-problem');
  assert.ok(problem.includes(`nearest valid sizes: ${near.below} or ${near.above}`), problem);
  await page.screenshot({ path: join(shots, 'flow-invalid.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('skip ablation: switching a skip off changes the mask and its Dice', { skip: missing, timeout: 180_000 }, async () => {
  const { page, errors } = await open('skips');
  await page.waitForSelector('[data-testid=ablation-table] tbody tr');
  const mask = () => page.evaluate(() => (document.querySelector('[data-testid=pred-mask]') as HTMLCanvasElement).toDataURL());
  const dice0 = await text(page, 'dice'), mask0 = await mask();
  assert.match(dice0, /all skips on: Dice 0\.9\d+/);
  await page.click('[data-testid=toggle-skip-1]');
  await page.waitForFunction((d) => document.querySelector('[data-testid=dice]')?.textContent !== d, dice0);
  const dice1 = await text(page, 'dice');
  assert.match(dice1, /skip 1 off: Dice \d\.\d+/);
  assert.notEqual(await mask(), mask0);
  const value = (s: string) => Number(/Dice (\d\.\d+)/.exec(s)![1]);
  assert.ok(value(dice1) < value(dice0), `${dice0} → ${dice1}`);
  assert.equal((await page.$$('[data-testid=ablation-table] tbody tr')).length, 6);
  assert.ok((await text(page, 'findings')).includes('matters most'));
  await page.screenshot({ path: join(shots, 'skips-off.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('volumetric flow: the unpadded and padded sizes come from the plan; a level button highlights its pair', { skip: missing, timeout: 120_000 }, async () => {
  const { page, errors } = await open('volume');
  for (const preset of ['cicek2016', 'seed3d']) {
    const r = shapeReport(unetOptions(preset), presets.get(preset).defaultInput);
    assert.ok((await text(page, `io-${preset}`)).startsWith(`${r.input.join('×')} → ${r.output.join('×')}`));
  }
  await page.click('[data-testid=level-cicek2016-2]');
  const hot = await page.$$eval('[data-testid=volume-cicek2016] .hot', (g) => g.map((e) => e.getAttribute('data-testid') ?? 'skip'));
  assert.deepEqual(hot.sort(), ['skip', 'vol-cicek2016-dec2', 'vol-cicek2016-enc2']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('your image: a chosen file is decoded and segmented', { skip: missing, timeout: 120_000 }, async () => {
  const { page, errors } = await open('segment');
  await page.setInputFiles('[data-testid=file-input]', join(repoRoot, 'data/blobs/blobs.png'));
  await page.waitForFunction(() => document.querySelector('[data-testid=seg-result]')?.textContent?.startsWith('blobs.png:'));
  assert.match(await text(page, 'seg-result'), /^blobs\.png: 256×254, \d+\.\d% foreground/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('training in the browser lowers the loss within its first epochs', { skip: missing, timeout: 300_000 }, async () => {
  const { page, errors } = await open('train');
  await page.click('[data-testid=train-start]');
  await page.waitForSelector('[data-testid=train-status][data-done=true]', { timeout: 240_000 });
  const losses = await page.$$eval('[data-testid=epoch-losses] li', (li) => li.map((e) => Number(e.getAttribute('data-loss'))));
  assert.ok(losses.length >= 3, `epochs: ${losses}`);
  assert.ok(losses[losses.length - 1] < 0.8 * losses[0], `epoch losses ${losses.join(', ')}`);
  await page.screenshot({ path: join(shots, 'train.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('WASM fallback: the .wasm binaries are served and the skip playground runs on them', { skip: missing, timeout: 180_000 }, async () => {
  const wasm: string[] = [];
  const { page, errors } = await open('skips', '?backend=wasm', (p) => p.on('response', (r) => { if (r.url().endsWith('.wasm') && r.ok()) wasm.push(r.url()); }));
  assert.equal(await page.getAttribute('#backend', 'data-backend'), 'wasm');
  assert.match(await text(page, 'dice'), /all skips on: Dice 0\.9\d+/);
  assert.equal(wasm.length, 1, `fetched .wasm files: ${wasm.join(', ')}`);
  assert.deepEqual(errors, []);
  await page.close();
});
