/**
 * The command line, read strictly against the command's own flags: an unknown flag, a flag of another
 * command, a missing or extra value, a repeated flag or a missing argument is a UsageError naming the
 * flag and the fix (exit code 2), before anything is opened or sent.
 */
import { INPUT_LIMITS } from '../domain/input-limits';
import { name } from './flag-checks';

export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  type: 'string' | 'boolean';
  required?: boolean;
  /** What a required flag holds, said when it is missing. */
  hint?: string;
  /** Returns what is wrong with the value and how to fix it, or undefined when it is fine. */
  check?: (value: string) => string | undefined;
}

export interface CommandSpec {
  /** e.g. `prepare ID --message TEXT [--at YYYY-MM-DDTHH:mm [--time-zone ZONE]]`. */
  usage: string;
  /** The positional arguments, each required: their name in the usage and what they hold. */
  positionals: readonly { name: string; hint: string }[];
  flags: Readonly<Record<string, FlagSpec>>;
}

export interface CommandLine {
  command: string;
  flags: Record<string, string | boolean>;
  positionals: string[];
}

/** `--as` and `--json` go with every command, `--help` shows the command's usage. */
export const COMMON_FLAGS: Readonly<Record<string, FlagSpec>> = {
  as: { type: 'string', check: name(INPUT_LIMITS.actor) },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
};

export function readCommandLine(argv: readonly string[], commands: Readonly<Record<string, CommandSpec>>): CommandLine {
  const command = argv[0] ?? 'help';
  if (command === 'help' || command === '--help' || command === '-h') return { command: 'help', flags: {}, positionals: [] };
  const spec = commands[command];
  if (!spec)
    throw new UsageError(`unknown command "${command}": the commands are ${Object.keys(commands).join(', ')} (npm run sms -- help).`);
  const usage = `npm run sms -- ${spec.usage}`;
  const fail = (message: string): never => {
    throw new UsageError(message, usage);
  };
  const flags: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const known = { ...spec.flags, ...COMMON_FLAGS };
  const otherCommand = (name: string) => Object.keys(commands).find((other) => commands[other].flags[name] !== undefined);

  for (let i = 1; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token === '-h') {
      flags.help = true;
      continue;
    }
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token);
      continue;
    }
    const [written, inline] = token.includes('=')
      ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)]
      : [token, undefined];
    const name = written.replace(/^--?/, '');
    const flag = known[name];
    if (!written.startsWith('--') || !flag) {
      const owner = written.startsWith('--') ? otherCommand(name) : undefined;
      fail(owner ? `${written} is not a flag of "${command}" (it goes with "${owner}")` : `unknown flag ${written} for "${command}"`);
    }
    if (flags[name] !== undefined) fail(`--${name} is given twice: give it once`);
    if (flag.type === 'boolean') {
      if (inline !== undefined) fail(`--${name} takes no value (got "${inline}"): write --${name} alone`);
      flags[name] = true;
      continue;
    }
    const value = inline ?? argv[i + 1];
    const nextIsFlag =
      inline === undefined && value !== undefined && /^--[a-z]/.test(value) && known[value.slice(2).split('=')[0]] !== undefined;
    if (value === undefined || nextIsFlag) fail(`--${name} needs a value`);
    if (inline === undefined) i++;
    if (value.trim() === '') fail(`--${name} is empty: give a value or leave the flag out`);
    const problem = flag.check?.(value);
    if (problem) fail(`--${name} ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}: ${problem}`);
    flags[name] = value;
  }

  if (flags.help) return { command, flags, positionals };
  for (const [name, flag] of Object.entries(spec.flags))
    if (flag.required && flags[name] === undefined) fail(`--${name} is required: ${flag.hint ?? 'give it'}`);
  const missing = spec.positionals[positionals.length];
  if (missing) fail(`${missing.name} is missing: give ${missing.hint}`);
  if (positionals.length > spec.positionals.length) fail(`unexpected argument "${positionals[spec.positionals.length]}"`);
  return { command, flags, positionals };
}
