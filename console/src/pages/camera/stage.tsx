/**
 * The latest snapshot with an SVG overlay in the frame's own pixels: what the rules editor and the
 * detector's count-region editor draw on. A click while drawing becomes a point in natural pixels
 * (the displayed size differs); the shape being drawn is shown as a draft polyline with its vertices.
 */
import type { ComponentChildren } from 'preact';
import { CameraSnapshot } from '../cameras.js';

export type Pt = [number, number];
export interface Size {
  w: number;
  h: number;
}

export const fmt = (pts: Pt[]) => pts.map(([x, y]) => `${x},${y}`).join(' ');

export function DrawingStage(p: {
  cameraId: string;
  imgClass: string;
  label: string;
  testId: string;
  size: Size | null;
  onSize(s: Size): void;
  /** The points of the shape being drawn, or null when not drawing. */
  draft: Pt[] | null;
  onPoint(pt: Pt): void;
  /** The saved shapes (SVG elements in frame pixels). */
  children?: ComponentChildren;
}) {
  const { size, draft } = p;
  const onClick = (e: MouseEvent) => {
    if (!draft || !size) return;
    const box = (e.currentTarget as SVGSVGElement).getBoundingClientRect();
    const x = Math.round(((e.clientX - box.left) * size.w) / box.width);
    const y = Math.round(((e.clientY - box.top) * size.h) / box.height);
    p.onPoint([Math.max(0, Math.min(size.w, x)), Math.max(0, Math.min(size.h, y))]);
  };
  return (
    <div class="stage">
      <CameraSnapshot cameraId={p.cameraId} class={p.imgClass} onSize={(w, h) => p.onSize({ w, h })} />
      {size && (
        <svg
          class={`overlay${draft ? ' drawing' : ''}`}
          viewBox={`0 0 ${size.w} ${size.h}`}
          preserveAspectRatio="none"
          onClick={onClick}
          aria-label={p.label}
          role="img"
          data-testid={p.testId}
        >
          {p.children}
          {draft && draft.length > 0 && (
            <>
              <polyline class="shape draft" points={fmt(draft)} />
              {draft.map(([x, y], i) => (
                <circle key={i} cx={x} cy={y} r={4 * (size.w / 640)} class="vertex" />
              ))}
            </>
          )}
        </svg>
      )}
    </div>
  );
}
