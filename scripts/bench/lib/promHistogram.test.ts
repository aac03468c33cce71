import { describe, expect, it } from 'vitest';
import { histogramQuantile, readHistogram } from './promHistogram.js';

const TEXT = `# HELP chantier_join_phase_seconds x
# TYPE chantier_join_phase_seconds histogram
chantier_join_phase_seconds_bucket{le="0.01",phase="queue"} 8
chantier_join_phase_seconds_bucket{le="0.1",phase="queue"} 10
chantier_join_phase_seconds_bucket{le="+Inf",phase="queue"} 10
chantier_join_phase_seconds_sum{phase="queue"} 0.2
chantier_join_phase_seconds_count{phase="queue"} 10
chantier_join_phase_seconds_bucket{le="0.01",phase="media"} 0
chantier_join_phase_seconds_bucket{le="0.1",phase="media"} 1
chantier_join_phase_seconds_bucket{le="+Inf",phase="media"} 2
chantier_join_phase_seconds_sum{phase="media"} 3
chantier_join_phase_seconds_count{phase="media"} 2
chantier_other_bucket{le="1",phase="queue"} 99`;

describe('readHistogram / histogramQuantile', () => {
  it('reads each label value and estimates quantiles within buckets, as Prometheus does', () => {
    const series = readHistogram(TEXT, 'chantier_join_phase_seconds', 'phase');
    expect([...series.keys()]).toEqual(['queue', 'media']);
    const queue = series.get('queue')!;
    expect(queue).toMatchObject({ count: 10, sum: 0.2 });
    expect(histogramQuantile(queue, 0.5)).toBeCloseTo(0.00625); // rank 5 of 8 in [0, 0.01]
    expect(histogramQuantile(queue, 0.9)).toBeCloseTo(0.055); // rank 9: halfway in (0.01, 0.1]
    expect(histogramQuantile(series.get('media')!, 0.95)).toBe(0.1); // in +Inf: the last finite bound
    expect(histogramQuantile({ count: 0, sum: 0, buckets: [] }, 0.5)).toBeNaN();
  });
});
