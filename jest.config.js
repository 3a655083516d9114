/**
 * Three tiers (`--selectProjects`): unit — no service at all (domain, providers against local endpoints,
 * rate limiter, config, parsing, SQLite files), run by `npm run test:unit` while editing; integration —
 * a Temporal dev server, SQLite and PostgreSQL; e2e — a real n8n and Chromium. `npm test` runs all three.
 */
const UNIT = [
  '/test/domain/',
  '/test/providers/(?!shared-rate-limiter\\.)',
  '/test/nodes/',
  '/test/docs/',
  '/test/bench/',
  '/test/inbound/(opt-out-keywords|twilio-signature|inbound-config)\\.test\\.ts$',
  '/test/worker/(config|deliver-recipient|batch-interruptions|batch-pages|provider-call-during-lock|calls-in-flight)\\.test\\.ts$',
  '/test/directory/sqlite-lock-wait\\.test\\.ts$',
];

const base = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
};
const withServices = { ...base, globalSetup: '<rootDir>/test/support/global-setup.ts' };

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 120_000,
  maxWorkers: 2,
  projects: [
    { ...base, displayName: 'unit', testRegex: UNIT.map((path) => `${path}.*\\.test\\.ts$`.replace('$.*\\.test\\.ts$', '$')) },
    { ...withServices, displayName: 'integration', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: [...UNIT, '/test/e2e/'] },
    { ...withServices, displayName: 'e2e', testMatch: ['**/test/e2e/**/*.test.ts'] },
  ],
};
