/** `node --import tsx bench/support/bundle-workflows.ts <file>`: bench/run.sh's one bundle of the workflows for the whole run. */
import { bundleWorkflowsTo } from './workflow-bundle';

const file = process.argv[2];
if (!file) {
  console.error('usage: node --import tsx bench/support/bundle-workflows.ts <file>');
  process.exit(2);
}
bundleWorkflowsTo(file).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
