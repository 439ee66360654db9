import { describe, expect, it } from '@jest/globals';
import { AsyncQueue } from '../../../src/shared/async-queue';

describe('AsyncQueue', () => {
  it('should hand values to a waiting reader and buffer the others, in order', async () => {
    const queue = new AsyncQueue<number>();
    const first = queue.next();
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(await first).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: 2, done: false });
    expect(await queue.next()).toEqual({ value: 3, done: false });
  });

  it('should run onClose once when the reader returns, and then end', async () => {
    let closed = 0;
    const queue = new AsyncQueue<number>({ onClose: () => void closed++ });
    const pending = queue.next();
    await queue.return();
    await queue.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    queue.push(1);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
  });

  it('should drop the oldest value past its bound, and say so', async () => {
    let dropped = 0;
    const queue = new AsyncQueue<number>({ maxBuffered: 2, onOverflow: () => void dropped++ });
    for (const value of [1, 2, 3, 4]) queue.push(value);
    expect(dropped).toBe(2);
    expect(await queue.next()).toEqual({ value: 3, done: false });
    expect(await queue.next()).toEqual({ value: 4, done: false });
  });

  it('should let for-await read what was pushed before close, then stop', async () => {
    const queue = new AsyncQueue<string>();
    queue.push('a');
    queue.push('b');
    queue.close();
    const seen: string[] = [];
    for await (const value of queue) seen.push(value);
    expect(seen).toEqual(['a', 'b']);
  });

  it('should reject the reader after the buffered values when it fails', async () => {
    const queue = new AsyncQueue<string>();
    queue.push('a');
    queue.fail(new Error('gone'));
    expect(await queue.next()).toEqual({ value: 'a', done: false });
    await expect(queue.next()).rejects.toThrow('gone');
  });
});
