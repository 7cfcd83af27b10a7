/**
 * The retry policy around one attempt at a batch: `attempt` decides and appends the pending
 * indices and returns those to try again (another writer moved their stream on). At most
 * `maxRetries` retries follow the first attempt; what is still pending then is returned.
 */
export async function retryWhilePending(maxRetries: number, pending: readonly number[], attempt: (pending: readonly number[]) => Promise<number[]>): Promise<number[]> {
  let left = [...pending];
  for (let tries = 0; left.length > 0; tries++) {
    if (tries > maxRetries) return left;
    left = (await attempt(left)).sort((a, b) => a - b);
  }
  return [];
}
