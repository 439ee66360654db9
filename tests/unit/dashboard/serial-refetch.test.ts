import { describe, expect, it } from '@jest/globals';
import { serialRefetch } from '../../../dashboard/src/serial-refetch';

/** A refetch whose answers the test releases one by one. */
function controlledRefetch() {
  const answers: Array<(fail?: boolean) => void> = [];
  const refetch = () =>
    new Promise<void>((resolve, reject) => {
      answers.push((fail) => (fail ? reject(new Error('network')) : resolve()));
    });
  const settle = async (index: number, fail = false) => {
    answers[index]!(fail);
    // Let the promise chain (catch, finally) run.
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  };
  return { refetch, answers, settle };
}

describe("the dashboard's serial refetch", () => {
  it('should refetch at once when none is in flight', () => {
    const { refetch, answers } = controlledRefetch();
    serialRefetch(refetch).refetch();
    expect(answers).toHaveLength(1);
  });

  it('should answer every call made while one is in flight with exactly one more refetch, sent after it answered', async () => {
    const { refetch, answers, settle } = controlledRefetch();
    const orderList = serialRefetch(refetch);
    orderList.refetch();
    orderList.refetch();
    orderList.refetch();
    expect(answers).toHaveLength(1);
    await settle(0);
    expect(answers).toHaveLength(2);
    await settle(1);
    expect(answers).toHaveLength(2);
  });

  it('should follow an in-flight refetch with one more when a change was written meanwhile, and do nothing when none is in flight', async () => {
    const { refetch, answers, settle } = controlledRefetch();
    const orderList = serialRefetch(refetch);
    orderList.refetchIfInFlight();
    expect(answers).toHaveLength(0);
    orderList.refetch();
    orderList.refetchIfInFlight();
    await settle(0);
    expect(answers).toHaveLength(2);
    await settle(1);
    expect(answers).toHaveLength(2);
  });

  it('should go on after a refetch that failed', async () => {
    const { refetch, answers, settle } = controlledRefetch();
    const orderList = serialRefetch(refetch);
    orderList.refetch();
    orderList.refetch();
    await settle(0, true);
    expect(answers).toHaveLength(2);
    await settle(1);
    orderList.refetch();
    expect(answers).toHaveLength(3);
  });
});
