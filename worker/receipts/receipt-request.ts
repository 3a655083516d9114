/**
 * `POST /receipts/<projectId>` on the worker's inbound endpoint: delivery receipts (docs/receipts.md).
 * Twilio's status callback (form, `X-Twilio-Signature` over the URL and the sorted parameters) or the
 * http provider's JSON (`X-Sms-Signature`, HMAC-SHA256 with SMS_HTTP_RECEIPT_SECRET and a timestamp).
 * Every authenticated, well-formed receipt gets the same answer, whether its message id is known or
 * not: the answer tells a caller nothing about which messages exist.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Project } from '../directory/directory';
import { header } from '../inbound/inbound-auth';
import type { FormParams } from '../inbound/twilio-signature';
import { isValidTwilioSignature } from '../inbound/twilio-signature';
import { InboundRequestError, type InboundFormat } from '../inbound/parse-inbound';
import { applyReceipt, type ReceiptDirectory, type ReceiptResult } from './apply-receipt';
import { receiptFromJson, receiptFromTwilioForm } from './parse-receipt';
import { receiptSignatureProblem } from './receipt-signature';

export interface ReceiptAuthSettings {
  twilioAuthToken?: string;
  /** The endpoint root as Twilio calls it, no trailing slash. */
  publicUrl?: string;
  /** SMS_HTTP_RECEIPT_SECRET: the http provider's shared secret. */
  receiptSecret?: string;
}

export interface ReceiptRequest {
  target: string;
  headers: IncomingHttpHeaders;
  format: InboundFormat | undefined;
  params: FormParams & readonly (readonly [string, string])[];
  body: Buffer;
}

export type ReceiptsDirectory = ReceiptDirectory & { getProject(id: string): Promise<Project | undefined> };

export interface ReceiptAnswer {
  via: 'twilio' | 'http';
  result: ReceiptResult;
}

/** Authenticates and applies one receipt; throws InboundRequestError (401, 400, 404, 415) for the caller to fix. */
export async function handleReceipt(
  auth: ReceiptAuthSettings,
  directory: ReceiptsDirectory,
  projectId: string,
  request: ReceiptRequest,
): Promise<ReceiptAnswer> {
  const via = authenticateReceipt(auth, request);
  const receipt = via === 'twilio' ? receiptFromTwilioForm(request.params) : receiptFromJson(request.body);
  const project = await directory.getProject(projectId);
  if (!project) {
    throw new InboundRequestError(
      404,
      `Unknown project "${projectId.slice(0, 100)}": post receipts to /receipts/<projectId> with the id of the project that sent the message.`,
    );
  }
  return { via, result: await applyReceipt(directory, project, receipt) };
}

function authenticateReceipt(auth: ReceiptAuthSettings, request: ReceiptRequest): 'twilio' | 'http' {
  if (request.format === 'form') {
    if (!auth.twilioAuthToken || !auth.publicUrl)
      throw new InboundRequestError(401, 'Twilio receipts are not accepted: set TWILIO_AUTH_TOKEN and INBOUND_PUBLIC_URL on the worker.');
    const signature = header(request.headers, 'x-twilio-signature');
    if (!isValidTwilioSignature(auth.twilioAuthToken, signature, `${auth.publicUrl}${request.target}`, request.params)) {
      throw new InboundRequestError(
        401,
        `Not authenticated: ${signature ? 'X-Twilio-Signature does not match' : 'X-Twilio-Signature is missing'} (Twilio signs with the account's auth token; check that INBOUND_PUBLIC_URL is the address given in StatusCallback).`,
      );
    }
    return 'twilio';
  }
  if (request.format === 'json') {
    if (!auth.receiptSecret)
      throw new InboundRequestError(401, 'JSON receipts are not accepted: set SMS_HTTP_RECEIPT_SECRET on the worker.');
    const problem = receiptSignatureProblem(auth.receiptSecret, request.headers, request.body);
    if (problem) throw new InboundRequestError(401, `Not authenticated: ${problem}`);
    return 'http';
  }
  throw new InboundRequestError(
    415,
    "Unsupported body: post Twilio's status callback as application/x-www-form-urlencoded, or the http provider's receipt as application/json.",
  );
}
