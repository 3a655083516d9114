/** A benchmark helper script started as a child process, once it prints the URL it listens on (`[endpoint] http://…`). */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ListeningChild {
  child: ChildProcess;
  url: string;
  /** Stops it with SIGTERM and waits for its exit. */
  stop(): Promise<void>;
}

export async function startListeningChild(script: string, env: NodeJS.ProcessEnv = process.env): Promise<ListeningChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /\[endpoint\] (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
  return {
    child,
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
