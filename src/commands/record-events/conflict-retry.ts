/** Retries an attempt while another writer moved a stream on, at most `maxRetries` times; returns what is still pending. */
export async function retryWhilePending(maxRetries: number, pending: readonly number[], attempt: (pending: readonly number[]) => Promise<number[]>): Promise<number[]> {
  let left = [...pending];
  for (let tries = 0; left.length > 0; tries++) {
    if (tries > maxRetries) return left;
    left = (await attempt(left)).sort((a, b) => a - b);
  }
  return [];
}
