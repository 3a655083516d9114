/** No tracked text file keeps a merge's conflict markers (a README once shipped with them). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/paths';

const TEXT = /\.(ts|js|mjs|cjs|json|md|sh|ya?ml|csv|svg|txt)$|^\.ci\/run$/;
const MARKER = /^(<{7}|>{7}) |^={7}$/m;

describe('merge conflict markers', () => {
  it('are in no tracked text file', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((file) => TEXT.test(file) && !file.startsWith('test/fixtures/'));
    const marked = files.filter((file) => {
      try {
        return MARKER.test(readFileSync(join(ROOT, file), 'utf8'));
      } catch {
        return false; // listed but not checked out (a deleted file not yet staged)
      }
    });
    expect(marked).toEqual([]);
  });
});
