import { ApplicationFailure } from '@temporalio/activity';
import { DirectoryInputError } from '../directory/errors';

/** Bad input is the caller's to fix: fail at once, with the directory's message, instead of retrying. */
export async function asInputFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DirectoryInputError) throw ApplicationFailure.nonRetryable(err.message, 'DirectoryInputError');
    throw err;
  }
}
