const WIDTH = 120;
const HEIGHT = 24;

/** The levels of this session (at most SPARKLINE_POINTS, the latest) as a small SVG line: no charting library, a polyline is all it takes. */
export function Sparkline({ levels, label }: { levels: readonly number[]; label: string }) {
  if (levels.length < 2) return <svg className="sparkline" width={WIDTH} height={HEIGHT} aria-hidden="true" />;
  const max = Math.max(...levels, 1);
  const step = WIDTH / (levels.length - 1);
  const points = levels.map((level, i) => `${(i * step).toFixed(1)},${(HEIGHT - 2 - (level / max) * (HEIGHT - 4)).toFixed(1)}`).join(' ');
  return (
    <svg className="sparkline" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${label}: ${levels.join(', ')}`}>
      <polyline points={points} />
    </svg>
  );
}
