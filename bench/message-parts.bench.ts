/**
 * SMS parts counting alone (messageParts, what Prepare runs for every recipient): distinct
 * personalized bodies of a GSM-7 message and of the same message with emoji, and how much slower
 * the emoji one is. In-process, no server. `--quick`: 100k bodies per message; otherwise 1M.
 */
import { renderMessage } from '../domain/template';
import { messageParts } from '../domain/validation/message-parts';
import { loadAverage } from './support/cpu';
import { generatedContact } from './support/generated-contacts';
import { QUICK, report, runBenchmark, type Row } from './support/results';

const BODIES = QUICK ? 100_000 : 1_000_000;
const MESSAGES = {
  gsm: 'Hi {{firstName}}, order {{order}} is ready for pickup in {{city}} until Saturday. Reply STOP to opt out.',
  emoji: 'Hi {{firstName}} 🎉 order {{order}} is ready for pickup in {{city}} until Saturday 👍🏽🇨🇦 Reply STOP to opt out.',
};

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Every body distinct (the order number), as personalization makes them. */
function bodies(message: string): string[] {
  return Array.from(
    { length: BODIES },
    (_, i) => renderMessage(message, { ...generatedContact(i).fields, order: String(100_000 + i) }).body,
  );
}

function timed(list: string[]): { seconds: number; cpuSeconds: number; segments: number; encodings: Set<string> } {
  let segments = 0;
  const encodings = new Set<string>();
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for (const body of list) {
    const parts = messageParts(body);
    segments += parts.segments;
    encodings.add(parts.encoding);
  }
  const cpu = process.cpuUsage(cpuStarted);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, segments, encodings };
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const rows: Row[] = [];
  for (const [name, message] of Object.entries(MESSAGES)) {
    const list = bodies(message);
    timed(list.slice(0, 10_000)); // warm-up: the JIT
    const run = timed(list);
    rows.push({
      message: name,
      bodies: list.length,
      encoding: [...run.encodings].join('+'),
      segments: run.segments,
      seconds: round(run.seconds, 3),
      cpuSeconds: round(run.cpuSeconds, 3),
      nsPerBody: Math.round((run.seconds * 1e9) / list.length),
      cpuNsPerBody: Math.round((run.cpuSeconds * 1e9) / list.length),
      bodiesPerSecond: Math.round(list.length / run.seconds),
    });
  }
  const [gsm, emoji] = rows;
  const slowdown = {
    seconds: round(Number(emoji.seconds) / Number(gsm.seconds)),
    cpuSeconds: round(Number(emoji.cpuSeconds) / Number(gsm.cpuSeconds)),
  };
  console.log(`emoji message / GSM message: ${slowdown.seconds}x (CPU: ${slowdown.cpuSeconds}x)`);
  report('message-parts', rows, {
    load: { before: loadBefore, after: loadAverage() },
    messages: MESSAGES,
    emojiOverGsm: slowdown,
    columns: {
      seconds: 'wall time of one pass over the bodies, after a warm-up on 10k of them',
      cpuSeconds: 'CPU time (user + system) of this process in that pass',
    },
  });
}

runBenchmark(main);
