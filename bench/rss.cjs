// Preloaded (`node -r bench/rss.cjs ...`) into a command the bench times: at exit, writes the process's peak RSS in
// bytes to the file named by BENCH_RSS_FILE, since a parent cannot read a child's peak memory from Node.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS * 1024));
});
