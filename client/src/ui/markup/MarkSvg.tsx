/**
 * One mark as SVG elements, from what shapes.ts computed for the current
 * view. A wide invisible outline makes thin strokes easy to hover, tap and
 * erase; the <title> shows the author and time on hover.
 */
import type { Drawn } from '../../markup/shapes';

/** Thin strokes are hard to hit with a finger: the hit outline is at least this wide, in px. */
const HIT_WIDTH = 16;

export function DrawnElements({ drawn, hit }: { drawn: readonly Drawn[]; hit: boolean }) {
  return (
    <>
      {drawn.map((d, i) => {
        switch (d.kind) {
          case 'path':
            return (
              <g key={i}>
                <path
                  d={d.d}
                  stroke={d.stroke}
                  stroke-width={d.strokeWidth}
                  stroke-opacity={d.opacity}
                  fill={d.fill}
                  stroke-linecap="round"
                  stroke-linejoin="round"
                />
                {hit && (
                  <path class="markup-hit" d={d.d} stroke="transparent" stroke-width={Math.max(HIT_WIDTH, d.strokeWidth)} fill="none" />
                )}
              </g>
            );
          case 'text':
            return (
              <text
                key={i}
                class={hit ? 'markup-hit-text' : undefined}
                x={d.x}
                y={d.y}
                font-size={d.fontSize}
                fill={d.color}
                dominant-baseline="hanging"
                font-family="sans-serif"
              >
                {d.lines.map((line, k) => (
                  <tspan key={k} x={d.x} dy={k === 0 ? 0 : d.fontSize * 1.2}>
                    {line === '' ? ' ' : line}
                  </tspan>
                ))}
              </text>
            );
          case 'pin':
            return (
              <g key={i} class={hit ? 'markup-hit-text' : undefined}>
                <circle cx={d.x} cy={d.y} r={d.r} fill={d.color} stroke="#ffffff" stroke-width={d.r * 0.15} />
                <text
                  x={d.x}
                  y={d.y}
                  font-size={d.r * 1.1}
                  font-weight="700"
                  font-family="sans-serif"
                  fill="#ffffff"
                  text-anchor="middle"
                  dominant-baseline="central"
                >
                  {d.label}
                </text>
                {d.caption && (
                  <text x={d.x + d.r * 1.4} y={d.y} font-size={d.r * 1.2} font-family="sans-serif" fill={d.color} dominant-baseline="central">
                    {d.caption}
                  </text>
                )}
              </g>
            );
        }
      })}
    </>
  );
}
