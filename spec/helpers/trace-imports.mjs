// Loaded with `node --import`: records every module URL the program loads and prints them as JSON on exit (stderr).
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const urls = [];
port1.on('message', (url) => urls.push(url));
port1.unref();
register('./trace-imports-hooks.mjs', { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });
process.on('exit', () => process.stderr.write(`TRACE ${JSON.stringify(urls)}\n`));
