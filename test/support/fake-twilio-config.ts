/** The worker's Twilio provider configured against a fake provider, sending from one test number. */
import type { ProviderConfig } from '../../worker/providers/create-provider';
import type { TwilioConfig } from '../../worker/providers/twilio-provider';
import type { FakeProvider } from './fake-provider';

export function fakeTwilioConfig(
  fake: Pick<FakeProvider, 'accountSid' | 'authToken' | 'url'>,
  options: Partial<TwilioConfig> = {},
): ProviderConfig {
  return { kind: 'twilio', accountSid: fake.accountSid, authToken: fake.authToken, from: '+15145550000', baseUrl: fake.url, ...options };
}
