/**
 * The U-Net's foreign state-dict names: the papers' reference modules (`enc.{i}.*`, `up.{i}.*`, `dec.{i}.*`,
 * `out.*`, ../shared/reference/papers_unet.py) map onto the chapter's module tree (`inc.conv.0.weight`,
 * `down1.down.1.conv.0.weight`, `up1.up.weight`, `up1.conv.conv.0.weight`, `outc.weight`); a `module.` prefix
 * (DataParallel) is dropped.
 */
/** Maps a key of the papers' reference modules (or with a `module.` prefix) onto the canonical name. */
export function canonicalKey(key: string): string {
  const k = key.replace(/^module\./, '');
  let m: RegExpMatchArray | null;
  if ((m = k.match(/^enc\.0\.(.+)$/))) return `inc.conv.${m[1]}`;
  if ((m = k.match(/^enc\.(\d+)\.(.+)$/))) return `down${m[1]}.down.1.conv.${m[2]}`;
  if ((m = k.match(/^up\.(\d+)\.(.+)$/))) return `up${Number(m[1]) + 1}.up.${m[2]}`;
  if ((m = k.match(/^dec\.(\d+)\.(.+)$/))) return `up${Number(m[1]) + 1}.conv.conv.${m[2]}`;
  if ((m = k.match(/^out\.(.+)$/))) return `outc.${m[1]}`;
  return k;
}

