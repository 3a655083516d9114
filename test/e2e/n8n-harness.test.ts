/**
 * Proves the real-n8n harness (scripts/n8n.sh + test/support/n8n.ts): n8n starts in a fresh user folder,
 * the owner cookie and the public-API key work, a node package installed the way users install community
 * nodes loads as `<package>.<node>` and runs in a webhook-triggered workflow, a workflow n8n refuses to
 * activate is named in the error, and n8n stops cleanly.
 *
 * The package is a throw-away probe generated here (package.json + a compiled node), so the harness is
 * tested independently of the project's own build. n8n must be installed beforehand: scripts/test.sh runs
 * `ensure_n8n` before jest (a first install takes several minutes); without it the suite fails at once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { OWNER, startN8n, type N8n } from '../support/n8n';

const PACKAGE = 'n8n-nodes-harness-probe';
const NODE_TYPE = `${PACKAGE}.harnessProbe`;

const PROBE_NODE_JS = `"use strict";
const ms = require("ms");
class HarnessProbe {
  constructor() {
    this.description = {
      displayName: "Harness Probe",
      name: "harnessProbe",
      group: ["transform"],
      version: 1,
      description: "Adds a tag to every item",
      defaults: { name: "Harness Probe" },
      inputs: ["main"],
      outputs: ["main"],
      properties: [{ displayName: "Tag", name: "tag", type: "string", default: "probe" }],
    };
  }
  async execute() {
    const items = this.getInputData();
    return [items.map((item, i) => ({ json: { received: item.json.body, tag: this.getNodeParameter("tag", i), oneMinuteMs: ms("1m") } }))];
  }
}
module.exports = { HarnessProbe };
`;

/** Writes the probe package and packs it with npm, as a package author would publish it. */
function packProbe(dir: string): string {
  const src = join(dir, 'src');
  mkdirSync(join(src, 'dist', 'nodes'), { recursive: true });
  writeFileSync(
    join(src, 'package.json'),
    JSON.stringify(
      {
        name: PACKAGE,
        version: '0.0.1',
        keywords: ['n8n-community-node-package'],
        license: 'MIT',
        files: ['dist'],
        n8n: { n8nNodesApiVersion: 1, nodes: ['dist/nodes/HarnessProbe.node.js'], credentials: [] },
        // ms is already in npm's cache (n8n depends on it); dev and peer dependencies must not be installed.
        dependencies: { ms: '2.1.3' },
        devDependencies: { typescript: '5.9.3' },
        peerDependencies: { 'n8n-workflow': '*' },
      },
      null,
      2,
    ),
  );
  writeFileSync(join(src, 'dist', 'nodes', 'HarnessProbe.node.js'), PROBE_NODE_JS);
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: src, encoding: 'utf8' });
  return join(dir, (JSON.parse(out) as { filename: string }[])[0].filename);
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

describe('real n8n harness', () => {
  let probeDir: string;
  let n8n: N8n | undefined;

  beforeAll(async () => {
    probeDir = mkdtempSync(join(tmpdir(), 'durable-sms-probe-'));
    n8n = await startN8n({ packageTarball: packProbe(probeDir), keepData: true });
  }, 180_000);

  afterAll(async () => {
    if (n8n) {
      await n8n.stop();
      rmSync(n8n.dataDir, { recursive: true, force: true });
    }
    if (probeDir) rmSync(probeDir, { recursive: true, force: true });
  }, 60_000);

  it('has an owner session and a working public-API key', async () => {
    const me = await n8n!.rest('GET', '/login');
    expect(me.data).toMatchObject({ email: OWNER.email, role: 'global:owner' });
    const workflows = await n8n!.api('GET', '/workflows');
    expect(workflows.data).toEqual([]);
    await expect(fetch(`${n8n!.url}/api/v1/workflows`, { headers: { 'X-N8N-API-KEY': 'wrong' } }).then((r) => r.status)).resolves.toBe(401);
  });

  it('installs the package like a community package: production dependencies only', () => {
    const installed = join(n8n!.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE);
    expect(existsSync(join(installed, 'dist', 'nodes', 'HarnessProbe.node.js'))).toBe(true);
    expect(existsSync(join(installed, 'node_modules', 'ms', 'package.json'))).toBe(true);
    expect(existsSync(join(installed, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(installed, 'node_modules', 'n8n-workflow'))).toBe(false);
    const list = JSON.parse(readFileSync(join(n8n!.userFolder, '.n8n', 'nodes', 'package.json'), 'utf8'));
    expect(list.dependencies).toEqual({ [PACKAGE]: '0.0.1' });
  });

  it(`loads the node as ${NODE_TYPE}`, async () => {
    const { data } = await n8n!.rest('POST', '/node-types', { nodeInfos: [{ name: NODE_TYPE, version: 1 }] });
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ name: 'harnessProbe', displayName: 'Harness Probe', communityNodePackageVersion: '0.0.1' });
    const all = (await (await fetch(`${n8n!.url}/types/nodes.json`, { headers: { cookie: n8n!.cookie } })).json()) as { name: string }[];
    const names = all.map((t) => t.name);
    expect(names).toContain(NODE_TYPE);
    expect(names).not.toContain('CUSTOM.harnessProbe');
    expect(names).toContain('n8n-nodes-base.webhook');
  });

  it('runs the node in a workflow created through the public API and triggered by a webhook', async () => {
    const path = `harness-${randomUUID()}`;
    const workflow = await n8n!.activate({
      name: 'harness probe',
      nodes: [
        {
          id: randomUUID(),
          name: 'Webhook',
          type: 'n8n-nodes-base.webhook',
          typeVersion: 2,
          position: [0, 0],
          webhookId: randomUUID(),
          parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
        },
        { id: randomUUID(), name: 'Probe', type: NODE_TYPE, typeVersion: 1, position: [300, 0], parameters: { tag: 'from-e2e' } },
      ],
      connections: { Webhook: { main: [[{ node: 'Probe', type: 'main', index: 0 }]] } },
      settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all' },
    });

    const response = await n8n!.webhook(path, { campaign: 'c-1' });
    expect(response).toEqual({ status: 200, body: { received: { campaign: 'c-1' }, tag: 'from-e2e', oneMinuteMs: 60_000 } });

    const execution = await n8n!.waitForExecution(workflow.id);
    expect(execution).toMatchObject({ status: 'success', mode: 'webhook', workflowId: workflow.id });
    const output = execution.data.resultData.runData.Probe[0].data.main[0];
    expect(output).toEqual([expect.objectContaining({ json: { received: { campaign: 'c-1' }, tag: 'from-e2e', oneMinuteMs: 60_000 } })]);
  });

  it('names the workflow n8n refuses to activate, with the reason', async () => {
    const manualOnly = {
      name: 'harness manual only',
      nodes: [
        { id: randomUUID(), name: 'By Hand', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
      ],
      connections: {},
    };
    await expect(n8n!.activate(manualOnly)).rejects.toThrow(
      /^n8n refused to activate workflow "harness manual only" \(id \w+\): POST \/api\/v1\/workflows\/\w+\/activate answered 400: .*has no trigger node/,
    );
  });

  it('stops cleanly', async () => {
    const instance = n8n!;
    const port = Number(new URL(instance.url).port);
    const pidFile = join(instance.dataDir, `n8n-${port}.pid`);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    n8n = undefined;
    await instance.stop();
    expect(existsSync(pidFile)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(() => process.kill(-pid, 0)).toThrow(); // nor its task runner (same process group)
    await expect(portAnswers(port)).resolves.toBe(false);
    const log = instance.log();
    expect(log).toContain('Stopping n8n');
    expect(log).not.toMatch(/ENOTFOUND|EAI_AGAIN|Failed to load package/);
    rmSync(instance.dataDir, { recursive: true, force: true });
  }, 60_000);
});
