import type { IWebhookDescription } from 'n8n-workflow';

/** One restart webhook, GET shows the approval page, POST records the decision (n8n's sendAndWait shape). */
export const approvalWebhooks: IWebhookDescription[] = [
  {
    name: 'default',
    httpMethod: 'GET',
    responseMode: 'onReceived',
    responseData: '',
    path: '={{ $nodeId }}',
    restartWebhook: true,
    isFullPath: true,
  },
  {
    name: 'default',
    httpMethod: 'POST',
    responseMode: 'onReceived',
    responseData: '',
    path: '={{ $nodeId }}',
    restartWebhook: true,
    isFullPath: true,
  },
];
