import { createAgentFactory } from '@agent-factory/sdk';

// Settings left out come from the environment, as for the CLI; offline needs no API key.
const factory = createAgentFactory({ provider: 'offline' });
try {
  // One agent, in this process. dryRun prints the diff instead of writing .claude/agents/<name>.md.
  const agent = await factory.generate('Review Terraform plans for public S3 buckets', { write: { dryRun: true } });
  console.log(agent.name, agent.report.passed ? 'passed' : 'failed', `${agent.usage.output} tokens, $${agent.costUsd}`);
  console.log(agent.diff);
  console.log('valid:', (await factory.validate({ content: agent.content })).passed);

  // Many agents on the worker pool: needs Redis and workers (`npx agent-factory up`).
  if (process.env.REDIS_URL) {
    const batch = await factory.submitBatch(['Audit React hooks for stale closures', 'Write release notes from merged pull requests']);
    while ((await factory.batchStatus(batch.id))?.state === 'running') await new Promise((r) => setTimeout(r, 500));
    for await (const item of factory.results(batch.id)) console.log(item.inputId, item.state, item.name);
  }
} finally {
  await factory.close();
}
