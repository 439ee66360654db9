const WIDTH = 120;
const HEIGHT = 24;

/** The levels of this session (at most SPARKLINE_POINTS, the latest) as a small SVG line: no charting library, a polyline is all it takes. */
export function Sparkline({ levels, label }: { levels: readonly number[]; label: string }) {
  if (levels.length < 2) return <svg className="sparkline" width={WIDTH} height={HEIGHT} aria-hidden="true" />;
  // Scaled to the levels' own range: 1,000 → 1,020 must show as a rise, not as a flat line near the top.
  const min = Math.min(...levels);
  const range = Math.max(Math.max(...levels) - min, 1);
  const step = WIDTH / (levels.length - 1);
  const points = levels.map((level, i) => `${(i * step).toFixed(1)},${(HEIGHT - 2 - ((level - min) / range) * (HEIGHT - 4)).toFixed(1)}`).join(' ');
  return (
    <svg className="sparkline" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${label}: ${levels.join(', ')}`}>
      <polyline points={points} />
    </svg>
  );
}
