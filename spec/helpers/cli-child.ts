// The fwgen CLI on lib/ sources, for specs that need a child process (see runCliChild in cli.ts).
import { main } from '../../lib/cli/main.js';

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd(), env: process.env });
process.exitCode = code;
