/**
 * The sending users would build with n8n's own nodes only: a Webhook trigger, a Code node producing
 * one item per recipient (the same numbers and texts as the benchmark audience), Loop Over Items
 * (splitInBatches v3, `concurrency` items per round) and an HTTP Request posting each item to the
 * provider endpoint. The webhook body is `{ count, sendingId, message, from }`.
 */
import { randomUUID } from 'node:crypto';

const RECIPIENTS_CODE = `
const { count, sendingId, message, from } = $input.first().json.body;
const items = [];
for (let i = 0; i < count; i++) {
  const to = '+1514' + String(2000000 + i).padStart(7, '0');
  items.push({ json: { to, from, body: message.replace('{{firstName}}', 'N' + i), sendingId } });
}
return items;
`;

export function loopWorkflow(path: string, endpointUrl: string, concurrency: number): Record<string, unknown> {
  const node = (
    name: string,
    type: string,
    typeVersion: number,
    x: number,
    parameters: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) => ({ id: randomUUID(), name, type, typeVersion, position: [x, 0], parameters, ...extra });
  return {
    name: 'SMS sending with n8n nodes only',
    nodes: [
      node(
        'Webhook',
        'n8n-nodes-base.webhook',
        2,
        0,
        { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
        { webhookId: randomUUID() },
      ),
      node('Recipients', 'n8n-nodes-base.code', 2, 250, { jsCode: RECIPIENTS_CODE }),
      node('Loop Over Items', 'n8n-nodes-base.splitInBatches', 3, 500, { batchSize: concurrency, options: {} }),
      node('Send SMS', 'n8n-nodes-base.httpRequest', 4.2, 750, {
        method: 'POST',
        url: endpointUrl,
        sendBody: true,
        specifyBody: 'json',
        jsonBody: '={{ JSON.stringify({ to: $json.to, from: $json.from, body: $json.body, sendingId: $json.sendingId }) }}',
        options: {},
      }),
    ],
    connections: {
      Webhook: { main: [[{ node: 'Recipients', type: 'main', index: 0 }]] },
      Recipients: { main: [[{ node: 'Loop Over Items', type: 'main', index: 0 }]] },
      'Loop Over Items': { main: [[], [{ node: 'Send SMS', type: 'main', index: 0 }]] },
      'Send SMS': { main: [[{ node: 'Loop Over Items', type: 'main', index: 0 }]] },
    },
    settings: { executionOrder: 'v1' },
  };
}
