import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/paths';

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

const readmeAnchors = new Set(
  readFileSync(join(ROOT, 'README.md'), 'utf8')
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => anchorOf(line.replace(/^#+ /, ''))),
);

function documentationLinks(): { file: string; anchor: string }[] {
  const files = [join('credentials', 'DurableSmsTemporalApi.credentials.ts')];
  for (const node of readdirSync(join(ROOT, 'nodes')).filter((name) => name.startsWith('DurableSms'))) {
    for (const file of readdirSync(join(ROOT, 'nodes', node))) if (file.endsWith('.node.json')) files.push(join('nodes', node, file));
  }
  return files.flatMap((file) =>
    [...readFileSync(join(ROOT, file), 'utf8').matchAll(/n8n-nodes-durable-sms#([\w-]+)/g)].map((match) => ({ file, anchor: match[1] })),
  );
}

test('the documentation links of the credential and the nodes open an existing README heading', () => {
  const links = documentationLinks();
  expect(links.length).toBeGreaterThanOrEqual(7);
  expect(links.filter((link) => !readmeAnchors.has(link.anchor))).toEqual([]);
});
