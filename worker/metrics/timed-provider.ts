/** A provider whose every call is timed into the provider call histogram, by how it ended. */
import { ProviderAccountError, ProviderConfigError, RetryableProviderError, type SmsProvider } from '../providers/provider';
import type { ProviderCallResult, SmsMetrics } from './sms-metrics';

export function timedProvider(provider: SmsProvider, metrics: SmsMetrics | undefined): SmsProvider {
  if (!metrics) return provider;
  return {
    name: provider.name,
    idempotent: provider.idempotent,
    async send(sms) {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const result = await provider.send(sms);
        metrics.providerCall(result.status === 'sent' ? 'sent' : 'rejected', seconds());
        return result;
      } catch (err) {
        metrics.providerCall(callResultOf(err), seconds());
        throw err;
      }
    },
  };
}

function callResultOf(err: unknown): ProviderCallResult {
  if (err instanceof RetryableProviderError) return 'transient';
  if (err instanceof ProviderAccountError || err instanceof ProviderConfigError) return 'account';
  return 'error';
}
