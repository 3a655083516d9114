#!/usr/bin/env node
/** `npm run worker`: one worker process from environment variables; SIGINT/SIGTERM drain it and exit. */
import { DefaultLogger } from '@temporalio/worker';
import { ConfigError, dispatchSettingsFromEnv, inboundSettingsFromEnv, workerSettingsFromEnv } from './config';
import { connectWorker, createSmsWorker } from './create-worker';
import { openDirectory } from './directory/open-directory';
import { startInboundServer, type InboundServer } from './inbound/inbound-server';
import { createProvider, providerConfigFromEnv } from './providers/create-provider';
import { receiptRecorder } from './receipts/apply-receipt';
import { describeRateLimit, openRateLimiter, type RateLimitSettings } from './providers/create-rate-limiter';
import type { RateLimiter } from './providers/rate-limiter';
import { installRuntime } from './metrics/install-runtime';
import { createSmsMetrics, type SmsMetrics } from './metrics/sms-metrics';
import { watchPausedSendings } from './metrics/watch-paused-sendings';

async function main(): Promise<void> {
  const settings = workerSettingsFromEnv(process.env);
  const meter = installRuntime(new DefaultLogger(settings.logLevel), settings.metricsAddress);
  const providerConfig = providerConfigFromEnv(process.env);
  const inboundSettings = inboundSettingsFromEnv(process.env);
  const dispatch = dispatchSettingsFromEnv(process.env, providerConfig);
  const directory = await openDirectory(settings.directory);
  const connection = await connectWorker(settings.temporal);
  let inbound: InboundServer | undefined;
  let limiter: RateLimiter | undefined;
  let stopWatching = (): void => undefined;
  const rateLimit: RateLimitSettings = {
    perSecond: settings.rateLimitPerSecond,
    scope: settings.rateLimitScope,
    key: settings.rateLimitKey,
  };
  try {
    // Before the worker: a taken port then fails alone, with its clear message.
    if (inboundSettings) inbound = await startInboundServer({ ...inboundSettings, directory });
    limiter = openRateLimiter(rateLimit, settings.directory, providerConfig);
    const provider = createProvider(providerConfig, { outboxStore: directory, recordReceipt: receiptRecorder(directory) });
    let metrics: SmsMetrics | undefined;
    if (meter) {
      metrics = createSmsMetrics(meter, provider.name);
      stopWatching = watchPausedSendings(directory, metrics);
    }
    const worker = await createSmsWorker({
      connection,
      namespace: settings.temporal.namespace,
      taskQueue: settings.temporal.taskQueue,
      directory,
      provider,
      limiter,
      concurrency: settings.concurrency,
      dispatch,
      metrics,
      ...(settings.workflowBundlePath ? { workflowBundle: { codePath: settings.workflowBundlePath } } : {}),
    });
    process.stdout.write(
      `[worker] task queue "${settings.temporal.taskQueue}" on ${settings.temporal.address} (namespace ${settings.temporal.namespace}); ` +
        `directory: ${directory.kind}; provider: ${providerConfig.kind}; ${describeRateLimit(rateLimit, providerConfig)}; ` +
        `metrics: ${settings.metricsAddress ? `http://${settings.metricsAddress}/metrics` : 'off (WORKER_METRICS_PORT)'}\n`,
    );
    if (inbound && inboundSettings) {
      const auth = [
        inboundSettings.twilioAuthToken ? `Twilio signature for ${inboundSettings.publicUrl}` : '',
        inboundSettings.token ? 'INBOUND_TOKEN' : '',
      ]
        .filter(Boolean)
        .join(' or ');
      process.stdout.write(`[worker] inbound opt-outs: POST ${inbound.url}/inbound/<projectId> (accepts ${auth})\n`);
      const receiptAuth = [
        inboundSettings.twilioAuthToken ? 'Twilio status callbacks' : '',
        inboundSettings.receiptSecret ? 'signed JSON (SMS_HTTP_RECEIPT_SECRET)' : '',
      ].filter(Boolean);
      if (receiptAuth.length > 0)
        process.stdout.write(
          `[worker] delivery receipts: POST ${inbound.url}/receipts/<projectId> (accepts ${receiptAuth.join(' or ')})\n`,
        );
    }
    // worker.run() returns once SIGINT/SIGTERM has drained the worker; the endpoint stops with it.
    await worker.run();
  } finally {
    stopWatching();
    await inbound?.close();
    await limiter?.close();
    await connection.close();
    await directory.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const message = err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`[worker] ${message}\n`);
    process.exit(1);
  },
);
