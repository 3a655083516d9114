/** n8n's own linter (@n8n/node-cli) passes on the package, with only the runtime-dependency rule off. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import { ROOT } from '../support/paths';

const run = promisify(execFile);

type Rules = Record<string, unknown[]>;

test('n8n-node lint reports no error', async () => {
  // Jest sets NODE_ENV=test, which switches n8n's legacy lint plugin into its own test mode.
  const { NODE_ENV: _jestOnly, ...env } = process.env;
  const result = await run(process.execPath, [join(ROOT, 'node_modules', '.bin', 'n8n-node'), 'lint'], {
    cwd: ROOT,
    env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
  }).then(
    (r) => ({ code: 0, output: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
  );
  expect(result.output).not.toMatch(/\berror\b/);
  expect(result.code).toBe(0);
});

test("compared with n8n's recommended config, the effective config of every linted file changes one rule: the one against runtime dependencies, turned off", async () => {
  const { NODE_ENV: _jestOnly, ...env } = process.env;
  const { stdout } = await run(process.execPath, [join(ROOT, 'test', 'support', 'effective-eslint-rules.mjs'), ROOT], {
    cwd: ROOT,
    env,
    maxBuffer: 256 * 1024 * 1024,
  });
  const files = JSON.parse(stdout) as Record<string, { project: Rules; n8n: Rules }>;
  const { n8n } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
  const sources = [...n8n.nodes, ...n8n.credentials].map((built) => built.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
  expect(Object.keys(files)).toEqual(expect.arrayContaining(['package.json', ...sources]));

  const changes = new Set<string>();
  for (const { project, n8n: recommended } of Object.values(files)) {
    for (const [rule, entry] of Object.entries(recommended)) {
      if (!isDeepStrictEqual(project[rule], entry))
        changes.add(`${rule}: ${JSON.stringify(entry)} -> ${JSON.stringify(project[rule] ?? 'absent')}`);
    }
  }
  expect([...changes]).toEqual(['@n8n/community-nodes/no-runtime-dependencies: [2] -> [0]']);
});

test("the code is formatted by Prettier with the project's settings (npm run format fixes it)", async () => {
  const result = await run(process.execPath, [join(ROOT, 'node_modules', '.bin', 'prettier'), '--check', '--log-level', 'warn', '.'], {
    cwd: ROOT,
  }).then(
    () => ({ code: 0, output: '' }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
  );
  expect(result.output).toBe('');
  expect(result.code).toBe(0);
});
