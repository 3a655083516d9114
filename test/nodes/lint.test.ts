/** n8n's own linter (@n8n/node-cli) passes on the package, with only the runtime-dependency rule off. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../support/paths';

const run = promisify(execFile);

test('n8n-node lint reports no error', async () => {
  // Jest sets NODE_ENV=test, which switches n8n's legacy lint plugin into its own test mode.
  const { NODE_ENV: _jestOnly, ...env } = process.env;
  const result = await run(process.execPath, [join(ROOT, 'node_modules', '.bin', 'n8n-node'), 'lint'], { cwd: ROOT, env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' } }).then(
    (r) => ({ code: 0, output: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
  );
  expect(result.output).not.toMatch(/\berror\b/);
  expect(result.code).toBe(0);
});

test('the only rule turned off is the one against runtime dependencies', () => {
  const config = readFileSync(join(ROOT, 'eslint.config.mjs'), 'utf8');
  expect(config.match(/'[^']+': 'off'/g)).toEqual(["'@n8n/community-nodes/no-runtime-dependencies': 'off'"]);
});
