import type { RecordedOffenderEvent } from '../../src/domain/offender-event';
import { OffenderStreamCache } from '../../src/commands/record-events/offender-stream-cache';

// The cache between import batches: bounded by events held, least recently used out first.

const streamOf = (n: number) => Array.from({ length: n }, (_, i) => ({ revision: i }) as unknown as RecordedOffenderEvent);

describe('OffenderStreamCache', () => {
  it('holds at most maxEvents events, evicting the least recently used streams first', () => {
    const cache = new OffenderStreamCache(10);
    cache.set('a', streamOf(4));
    cache.set('b', streamOf(4));
    expect(cache.get('a')?.events).toHaveLength(4); // a is now the most recently used
    cache.set('c', streamOf(4)); // 12 > 10: b goes, not a
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.events).toHaveLength(4);
    expect(cache.get('c')?.events).toHaveLength(4);
    expect(cache.events).toBe(8);
    expect(cache.size).toBe(2);
  });

  it('replaces a stream, counting only its new length', () => {
    const cache = new OffenderStreamCache(10);
    cache.set('a', streamOf(3));
    cache.set('a', streamOf(6));
    expect(cache.events).toBe(6);
    cache.set('b', streamOf(4));
    expect(cache.get('a')?.events).toHaveLength(6);
    expect(cache.get('b')?.events).toHaveLength(4);
  });

  it('keeps neither an empty stream nor one longer than the whole bound, and forgets the old copy', () => {
    const cache = new OffenderStreamCache(10);
    cache.set('a', streamOf(2));
    cache.set('a', streamOf(11));
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', streamOf(2));
    cache.set('b', []);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.events).toBe(0);
  });

  it('forgets on delete and clear', () => {
    const cache = new OffenderStreamCache(10);
    cache.set('a', streamOf(2));
    cache.set('b', streamOf(2));
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.events).toBe(2);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('stays bounded over many offenders', () => {
    const cache = new OffenderStreamCache(1000);
    for (let i = 0; i < 10_000; i++) cache.set(`o${i}`, streamOf(1 + (i % 5)));
    expect(cache.events).toBeLessThanOrEqual(1000);
    expect(cache.get('o9999')?.events).toHaveLength(5);
    expect(cache.get('o0')).toBeUndefined();
  });
});
