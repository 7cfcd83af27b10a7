/**
 * A nested transaction as a savepoint: released when `fn` resolves, rolled back to when it throws,
 * unless `canRollBack(error)` says the connection could not answer the rollback anyway.
 */
export async function inSavepoint<T>(
  exec: (sql: string) => Promise<unknown>,
  name: string,
  fn: () => Promise<T>,
  canRollBack: (error: unknown) => boolean = () => true,
): Promise<T> {
  await exec(`SAVEPOINT ${name}`);
  try {
    const result = await fn();
    await exec(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (error) {
    if (canRollBack(error)) await exec(`ROLLBACK TO SAVEPOINT ${name}`);
    throw error;
  }
}
