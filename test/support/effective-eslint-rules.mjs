// Prints, as JSON, the effective ESLint rules of every file `n8n-node lint` checks, twice: with the project's
// eslint.config.mjs and with n8n's recommended config for self-hosted packages (@n8n/node-cli's
// configWithoutCloudSupport). A child process of test/nodes/lint.test.ts: ESLint loads config files with
// import(), which jest's module sandbox does not run.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const root = process.argv[2];
const n8nEslint = import.meta.resolve('@n8n/node-cli/eslint');
const { ESLint } = createRequire(n8nEslint)('eslint');
const { configWithoutCloudSupport } = await import(n8nEslint);

const project = new ESLint({ cwd: root, overrideConfigFile: join(root, 'eslint.config.mjs') });
const n8n = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: configWithoutCloudSupport });

function* walk(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.git') continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

const files = {};
for (const path of walk(root)) {
  if (await project.isPathIgnored(path)) continue;
  const config = await project.calculateConfigForFile(path);
  if (!config) continue;
  files[relative(root, path)] = { project: config.rules, n8n: (await n8n.calculateConfigForFile(path))?.rules ?? {} };
}
process.stdout.write(JSON.stringify(files));
