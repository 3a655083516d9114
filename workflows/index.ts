export { smsSendingWorkflow } from './sending.workflow';
