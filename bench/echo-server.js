/**
 * The HTTP limit: a bare express 5 app that parses a JSON POST and echoes it, nothing else. Run as a child
 * process by run.js and driven by the same client as Cairn. With a worker count it uses node:cluster,
 * like a multi-worker Cairn would. Prints `echo listening on 127.0.0.1:<port>` once ready.
 * Usage: node bench/echo-server.js [workers]
 */
import cluster from 'node:cluster';
import express from 'express';

const workers = Number(process.argv[2] ?? 0);

if (workers > 1 && cluster.isPrimary) {
  let announced = false;
  cluster.on('listening', (_worker, address) => {
    if (announced) return;
    announced = true;
    process.stdout.write(`echo listening on 127.0.0.1:${address.port}\n`);
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  });
} else {
  const app = express();
  app.use(express.json({ limit: '64kb' }));
  app.post('/echo', (req, res) => {
    res.json(req.body);
  });
  // Workers of a cluster listening on port 0 all share the one port the primary picks.
  const server = app.listen(0, '127.0.0.1', () => {
    if (!cluster.isWorker) process.stdout.write(`echo listening on 127.0.0.1:${server.address().port}\n`);
  });
  // A worker just ends: its primary is gone by then, and closing a cluster worker's server messages it (EPIPE).
  process.on('SIGTERM', () => (cluster.isWorker ? process.exit(0) : server.close(() => process.exit(0))));
}
