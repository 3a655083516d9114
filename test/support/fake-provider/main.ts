/**
 * A fake provider as a process of its own (for a chaos run or a benchmark):
 *   node --import tsx test/support/fake-provider/main.ts
 * Prints `[endpoint] http://127.0.0.1:<port>` once it listens (the line bench/support/listening-child.ts
 * waits for) and stops on SIGTERM or SIGINT. The Twilio account is DEFAULT_ACCOUNT_SID with
 * DEFAULT_AUTH_TOKEN. FAKE_PROVIDER_PORT: the port (default a free one); FAKE_PROVIDER_SCENARIO: a JSON
 * scenario to play from the start. The control API (index.ts) changes it later.
 */
import { startFakeProvider } from './index';
import { parseScenario, type Scenario } from './scenario';

async function main(): Promise<void> {
  const rawScenario = process.env.FAKE_PROVIDER_SCENARIO;
  const scenario: Scenario | undefined = rawScenario ? parseScenario(JSON.parse(rawScenario)) : undefined;
  const fake = await startFakeProvider({ port: Number(process.env.FAKE_PROVIDER_PORT ?? 0), scenario });
  process.stdout.write(`[endpoint] ${fake.url}\n`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake provider: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
