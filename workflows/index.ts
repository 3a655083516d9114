export { smsSendingWorkflow } from './sending.workflow';
export { directoryLookupWorkflow } from './directory-lookup.workflow';
