/** The U-Net explorer: one page at a time (hash routes), a nav between them and the tfjs backend in use. */
import './style.css';
import { chooseBackend } from './backend.js';
import { h } from './lib/ui.js';
import { architecturePage } from './pages/architecture.js';
import { shapeFlowPage } from './pages/shape-flow.js';
import { skipsPage } from './pages/skips.js';
import { volumePage } from './pages/volume.js';
import { segmentPage } from './pages/segment.js';
import { trainPage } from './pages/train.js';
import type { Page } from './lib/page.js';

const pages: Page[] = [architecturePage, shapeFlowPage, skipsPage, volumePage, segmentPage, trainPage];
const nav = document.getElementById('nav')!;
const main = document.getElementById('page')!;
const badge = document.getElementById('backend')!;
nav.append(...pages.map((p) => h('a', { href: `#${p.id}`, 'data-page': p.id }, p.title)));

let cleanup: (() => void) | undefined;
let generation = 0;

async function show(): Promise<void> {
  const id = location.hash.slice(1) || pages[0].id;
  const page = pages.find((p) => p.id === id) ?? pages[0];
  const mine = ++generation;
  cleanup?.();
  cleanup = undefined;
  nav.querySelectorAll('a').forEach((a) => a.classList.toggle('active', a.dataset.page === page.id));
  const root = h('section', { class: `page page-${page.id}`, 'data-testid': `page-${page.id}` });
  main.replaceChildren(h('h2', {}, page.title), root);
  document.title = `${page.title} — U-Net explorer`;
  try {
    const done = await page.mount(root);
    if (mine === generation) { cleanup = done; root.dataset.ready = 'true'; } else done();
  } catch (e) {
    root.append(h('p', { class: 'problem' }, `This page failed: ${(e as Error).message}`));
    throw e;
  }
}

chooseBackend().then(({ name, attempts }) => {
  badge.textContent = `tfjs backend: ${name}`;
  badge.dataset.backend = name;
  badge.title = attempts.map((a) => `${a.name}: ${a.note}`).join('\n');
}).catch((e) => { badge.textContent = `no tfjs backend (${(e as Error).message})`; });
window.addEventListener('hashchange', () => void show());
void show();
