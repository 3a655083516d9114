import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

// n8n's community-node rules, without n8n Cloud support: the nodes need @temporalio/client at run time
// (a gRPC client), which the no-runtime-dependencies rule forbids. It is the only rule turned off.
export default [
  // Only the n8n-facing code is linted with n8n's rules; client/ and domain/ are shared libraries the nodes wrap.
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test/**',
      'worker/**',
      'workflows/**',
      'cli/**',
      'client/**',
      'domain/**',
      'scripts/**',
      'demo/**',
      'bench/**',
      '.data/**',
      '.bench-data/**',
      '.test-results/**',
      'jest.config.js',
    ],
  },
  ...configWithoutCloudSupport,
  { rules: { '@n8n/community-nodes/no-runtime-dependencies': 'off' } },
];
