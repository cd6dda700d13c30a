/** What a command may touch: streams, the working directory and the environment, passed in so specs can run the CLI in-process. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export type CommandArgs = Record<string, unknown> & { _?: unknown };

export interface CommandModule {
  run(args: CommandArgs, io: CliIo): Promise<number>;
}

export const EXIT = { ok: 0, failed: 1, input: 2, internal: 3 } as const;
