import { describe, expect, it } from 'vitest';
import { describeHeap, heapReading } from './heapReading.js';

const TEXT = `# HELP nodejs_heap_space_size_total_bytes Process heap space size total from Node.js in bytes.
# TYPE nodejs_heap_space_size_total_bytes gauge
nodejs_heap_space_size_total_bytes{space="new"} 33554432
nodejs_heap_space_size_total_bytes{space="old"} 41943040
nodejs_heap_space_size_total_bytes{space="shared"} 0
nodejs_heap_space_size_used_bytes{space="new"} 524288
nodejs_heap_space_size_used_bytes{space="old"} 39845888
nodejs_external_memory_bytes 3145728
`;

describe('heapReading', () => {
  it('reads committed and used MB by space, and external memory', () => {
    const r = heapReading(TEXT);
    expect(r.committedMB).toEqual({ new: 32, old: 40, shared: 0 });
    expect(r.usedMB).toEqual({ new: 0.5, old: 38 });
    expect(r.externalMB).toBe(3);
    expect(describeHeap(r)).toBe('new 32.0/0.5, old 40.0/38.0');
  });
});
