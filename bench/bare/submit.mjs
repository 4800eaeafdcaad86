// Baseline of bench/submit.ts: the least a producer can do with the same file. Reads it line by line,
// parses each line and addBulk's bare BullMQ jobs (no ids, no options) in chunks of 1,000 into one
// queue, one chunk at a time. Plain JavaScript run by node, like the built CLI it is compared with.
// Usage: REDIS_URL=redis://… node bench/bare/submit.mjs FILE
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

const connection = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
const queue = new Queue('bare', { connection, prefix: 'bare' });
let chunk = [];
let count = 0;
for await (const line of createInterface({ input: createReadStream(process.argv[2]), crlfDelay: Infinity })) {
  if (line === '') continue;
  chunk.push({ name: 'req', data: JSON.parse(line) });
  if (chunk.length === 1000) {
    await queue.addBulk(chunk);
    count += chunk.length;
    chunk = [];
  }
}
if (chunk.length > 0) await queue.addBulk(chunk);
count += chunk.length;
await queue.close();
await connection.quit();
process.stdout.write(`${JSON.stringify({ jobs: count })}\n`);
