import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const TEST_OUTPUT = join(ROOT, '.test-results');
export const WORKFLOW_BUNDLE_PATH = join(TEST_OUTPUT, 'workflow-bundle.js');
