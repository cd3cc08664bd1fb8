/**
 * Time-series chart (uPlot): one shared time axis, one line (or stepped bars) per series, resizing
 * with its container. Times are epoch seconds; null values leave gaps (no footage in that bucket).
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  color: string;
  values: (number | null)[];
  /** Draw as bars (counts per bucket) rather than a line. */
  bars?: boolean;
}

export function TimeChart(p: { times: number[]; series: Series[]; height?: number; title: string; range?: [number, number] }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = el.current;
    if (!host) return;
    const opts: Options = {
      width: host.clientWidth || 600,
      height: p.height ?? 220,
      scales: { x: { time: true, ...(p.range ? { range: () => p.range! } : {}) } },
      axes: [{}, { size: 48 }],
      series: [
        {},
        ...p.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          spanGaps: false,
          ...(s.bars ? { fill: `${s.color}55`, paths: uPlot.paths.bars!({ size: [0.8, 40] }) } : {}),
        })),
      ],
    };
    const data = [p.times, ...p.series.map((s) => s.values)] as AlignedData;
    const plot = new uPlot(opts, data, host);
    const ro = new ResizeObserver(() => plot.setSize({ width: host.clientWidth, height: opts.height }));
    ro.observe(host);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [p.times, p.series, p.height, p.range]);
  return <figure class="chart" role="img" aria-label={p.title} ref={el} />;
}
