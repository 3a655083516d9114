import {
  NodeApiError,
  NodeOperationError,
  type IDataObject,
  type IExecuteFunctions,
  type INodeExecutionData,
  type JsonObject,
} from 'n8n-workflow';
import { SendingError, type SendingClient } from '../../client/sending-client';
import { sendingsFor } from './transport';

/**
 * The loop every node shares: one call per input item, `pairedItem` on each output, `continueOnFail`
 * honoured. A refusal by the sending (bad input, wrong state) is a NodeOperationError naming the fix;
 * anything else (Temporal unreachable …) a NodeApiError.
 */
export async function runPerItem(
  context: IExecuteFunctions,
  work: (sendings: SendingClient, itemIndex: number) => Promise<IDataObject>,
): Promise<INodeExecutionData[][]> {
  const items = context.getInputData();
  const out: INodeExecutionData[] = [];
  let sendings: SendingClient | undefined;
  for (let i = 0; i < items.length; i++) {
    try {
      sendings ??= await sendingsFor(context);
      out.push({ json: await work(sendings, i), pairedItem: { item: i } });
    } catch (err) {
      const error =
        err instanceof NodeOperationError || err instanceof NodeApiError
          ? err
          : err instanceof SendingError
            ? new NodeOperationError(context.getNode(), err.message, { itemIndex: i })
            : new NodeApiError(context.getNode(), { message: (err as Error).message } as JsonObject, {
                itemIndex: i,
                message: (err as Error).message,
              });
      if (context.continueOnFail()) {
        out.push({ json: { error: error.message }, pairedItem: { item: i } });
        continue;
      }
      throw error;
    }
  }
  return [out];
}

export function requireSendingId(context: IExecuteFunctions, itemIndex: number): string {
  const id = String(context.getNodeParameter('sendingId', itemIndex, '') ?? '').trim();
  if (!id) {
    throw new NodeOperationError(context.getNode(), 'Sending ID is empty', {
      itemIndex,
      description: 'Connect this node after Select Recipients (its items carry sendingId), or set Sending ID to an expression.',
    });
  }
  return id;
}
