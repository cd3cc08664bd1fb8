/**
 * Tiling: an engine that sees a small fixed input (CenterNet 512², coco-ssd 300²) or caps its detections
 * per pass (CenterNet's top 100) is run on overlapping tiles too when the whole-image pass shows a crowd, so
 * small people get more pixels and a crowd of several hundred is not cut at the cap. Sparse scenes pay one
 * pass. Tiles are cut from a decode of the image at up to the engine's own size per tile, so a large photo
 * gives its tiles real resolution, not an upscaled copy of the whole-image pass. Tiles are cut from the decoded RGB (no re-encode); their
 * boxes are shifted back and tagged with the tile, for counting.ts's cross-tile merge.
 */
import type { DecodedImage } from '../image.js';
import type { TiledCandidate } from './counting.js';
import type { PersonEngine } from './types.js';

export interface TileGrid {
  rows: number;
  cols: number;
  /** Overlap between neighbouring tiles, as a fraction of a tile's side (a person cut by one border is whole in the next tile). */
  overlap: number;
}

export function tileRects(width: number, height: number, g: TileGrid): Array<{ x: number; y: number; w: number; h: number }> {
  const tw = Math.ceil(width / (g.cols - (g.cols - 1) * g.overlap));
  const th = Math.ceil(height / (g.rows - (g.rows - 1) * g.overlap));
  const out = [];
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.cols; c++) {
      const x = g.cols === 1 ? 0 : Math.round((c * (width - tw)) / (g.cols - 1));
      const y = g.rows === 1 ? 0 : Math.round((r * (height - th)) / (g.rows - 1));
      out.push({ x, y, w: Math.min(tw, width - x), h: Math.min(th, height - y) });
    }
  }
  return out;
}

export function crop(img: DecodedImage, x: number, y: number, w: number, h: number): DecodedImage {
  const rgb = new Uint8Array(w * h * 3);
  for (let row = 0; row < h; row++) {
    const from = ((y + row) * img.width + x) * 3;
    rgb.set(img.rgb.subarray(from, from + w * 3), row * w * 3);
  }
  return { rgb, width: w, height: h, sourceWidth: w, sourceHeight: h };
}

/** The candidates of every tile of the grid (tiles 1..n; tile 0 is the whole image), in `img`'s pixels. */
export async function detectTiles(engine: PersonEngine, img: DecodedImage, floor: number, g: TileGrid): Promise<TiledCandidate[]> {
  const out: TiledCandidate[] = [];
  let tile = 0;
  for (const r of tileRects(img.width, img.height, g)) {
    tile++;
    for (const c of await engine.detect(crop(img, r.x, r.y, r.w, r.h), floor)) {
      out.push({ x1: c.x1 + r.x, y1: c.y1 + r.y, x2: c.x2 + r.x, y2: c.y2 + r.y, score: c.score, tile });
    }
  }
  return out;
}
