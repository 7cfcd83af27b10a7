import type { StreamAppend, StreamAppendResult } from '../../src/event-store/event-store';
import { AppendGroups } from '../../src/event-store/postgres/append-groups';
import { StoreUnavailableError } from '../../src/errors';
import { appendOf, levelChanged } from '../support/offender-event-fixtures';

/** A write that records each group it is given and answers when the test says so. */
function heldWrites(fail: (items: readonly StreamAppend[]) => unknown = () => undefined) {
  const writes: Array<readonly StreamAppend[]> = [];
  const pending: Array<() => void> = [];
  const write = (items: readonly StreamAppend[]) =>
    new Promise<StreamAppendResult[]>((resolve, reject) => {
      writes.push(items);
      pending.push(() => {
        const error = fail(items);
        if (error) reject(error);
        else resolve(items.map((item) => ({ status: 'appended', offenderId: item.offenderId, events: [] })));
      });
    });
  const settle = async () => {
    for (let i = 0; i < 20; i++) {
      pending.splice(0).forEach((answer) => answer());
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { writes, write, settle };
}

const one = (id: string, recordedAt = '2026-12-02T10:00:00.000Z') => [appendOf(id, 0, [levelChanged(id)], { recordedAt })];
const ids = (results: StreamAppendResult[]) => results.map((r) => r.offenderId);

describe('AppendGroups: appends that arrive during a write go together in the next', () => {
  it('writes a call at once when nothing is being written, and the calls that arrive meanwhile in one write after it', async () => {
    const { writes, write, settle } = heldWrites();
    const groups = new AppendGroups(write, 100);
    const first = groups.append(one('A'));
    expect(writes.map((w) => w.map((i) => i.offenderId))).toEqual([['A']]);
    const later = ['B', 'C', 'D'].map((id) => groups.append(one(id)));
    expect(writes).toHaveLength(1);
    await settle();
    expect(writes.map((w) => w.map((i) => i.offenderId))).toEqual([['A'], ['B', 'C', 'D']]);
    expect(ids(await first)).toEqual(['A']);
    expect((await Promise.all(later)).map(ids)).toEqual([['B'], ['C'], ['D']]);
  });

  it('records a group at the latest time any of its callers gave, never earlier than one asked', async () => {
    const { writes, write, settle } = heldWrites();
    const groups = new AppendGroups(write, 100);
    void groups.append(one('A'));
    void groups.append(one('B', '2026-12-02T10:00:00.005Z'));
    void groups.append(one('C', '2026-12-02T10:00:00.002Z'));
    await settle();
    expect(writes[1].map((i) => i.recordedAt)).toEqual(['2026-12-02T10:00:00.005Z', '2026-12-02T10:00:00.005Z']);
  });

  it('writes alone a call too large to share, one whose items differ in recordedAt, and stops a group at the event limit', async () => {
    const { writes, write, settle } = heldWrites();
    const groups = new AppendGroups(write, 3);
    void groups.append(one('A'));
    const large = ['L1', 'L2', 'L3', 'L4'].map((id) => one(id)[0]);
    const mixed = [one('M1')[0], one('M2', '2026-12-02T11:00:00.000Z')[0]];
    for (const call of [one('B'), large, one('C'), one('D'), mixed, one('E'), one('F'), one('G'), one('H')]) void groups.append(call);
    await settle();
    expect(writes.map((w) => w.map((i) => i.offenderId).join(''))).toEqual(['A', 'B', 'L1L2L3L4', 'CD', 'M1M2', 'EFG', 'H']);
  });

  it("writes each call alone when the database refuses a group for something in one caller's events, so only that caller fails", async () => {
    const refused = Object.assign(new Error('invalid input syntax for type date'), { code: '22007' });
    const { writes, write, settle } = heldWrites((items) => (items.some((i) => i.offenderId === 'BAD') ? refused : undefined));
    const groups = new AppendGroups(write, 100);
    void groups.append(one('A'));
    const [good, bad, alsoGood] = ['B', 'BAD', 'C'].map((id) => groups.append(one(id)));
    bad.catch(() => undefined); // awaited below, after the writes are answered
    await settle();
    expect(ids(await good)).toEqual(['B']);
    await expect(bad).rejects.toBe(refused);
    expect(ids(await alsoGood)).toEqual(['C']);
    expect(writes.map((w) => w.map((i) => i.offenderId).join(','))).toEqual(['A', 'B,BAD,C', 'B', 'BAD', 'C']);
  });

  it('fails the calls waiting behind a write the database did not answer at once, each with that answer, not after a timeout of its own', async () => {
    const unavailable = new StoreUnavailableError('The database did not answer.');
    const { writes, write, settle } = heldWrites(() => unavailable);
    const groups = new AppendGroups(write, 100);
    const calls = ['A', 'B', 'C'].map((id) => groups.append(one(id)));
    calls.forEach((p) => p.catch(() => undefined));
    await settle();
    for (const p of calls) await expect(p).rejects.toBe(unavailable);
    expect(writes.map((w) => w.map((i) => i.offenderId))).toEqual([['A']]); // B and C were never sent
  });

  it('fails every call of a group at once when the database cannot be reached, and goes on with the calls after it', async () => {
    const unavailable = new StoreUnavailableError('The database is not available at the moment.');
    const { writes, write, settle } = heldWrites((items) => (items.length > 1 ? unavailable : undefined));
    const groups = new AppendGroups(write, 100);
    const first = groups.append(one('A'));
    const group = ['B', 'C'].map((id) => groups.append(one(id)));
    group.forEach((p) => p.catch(() => undefined));
    await settle();
    expect(ids(await first)).toEqual(['A']);
    for (const p of group) await expect(p).rejects.toBe(unavailable);
    expect(writes).toHaveLength(2); // not tried again one by one
    expect(ids(await Promise.all([groups.append(one('D')), settle()]).then(([r]) => r))).toEqual(['D']);
  });
});
