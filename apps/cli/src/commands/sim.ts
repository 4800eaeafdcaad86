import { FAULT_KINDS, startSimulator, type FaultKind, type SimulatorOptions } from '@agent-factory/sim';
import { maskKey } from '../mask-key.js';
import { untilStopSignal } from '../stop-signal.js';
import type { Command } from 'commander';
import { z } from 'zod';
import { UsageError } from '../usage-error.js';

interface SimFlags {
  host?: string;
  port?: string;
  apiKey?: string;
  ttftMs?: string;
  tokensPerS?: string;
  rpm?: string;
  itpm?: string;
  otpm?: string;
  faultRate?: string;
  faultKinds?: string;
  batchMs?: string;
  seed?: string;
}

/** Defaults of the command (the library's are instant): latency close to Sonnet's, so a dry run looks like a real one. */
const DEFAULTS = { port: '8089', ttftMs: '600', tokensPerS: '80', batchMs: '5000' };

/** An empty variable means unset. */
const env = (name: string): string | undefined => (process.env[name] === '' ? undefined : process.env[name]);

function number(schema: z.ZodType<number>, value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`${what}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

const Int = z.coerce.number().int().min(0);
const Positive = z.coerce.number().positive();
const Share = z.coerce.number().min(0).max(1);

function faultKinds(value: string | undefined): Partial<Record<FaultKind, number>> | undefined {
  if (value === undefined) return undefined;
  const kinds = value.split(',').map((k) => k.trim()).filter(Boolean);
  const bad = kinds.find((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (bad !== undefined) throw new UsageError(`--fault-kinds: unknown kind "${bad}" (one of ${FAULT_KINDS.join(', ')})`);
  return Object.fromEntries(kinds.map((k) => [k, 1]));
}

/** `agent-factory sim`: a local Anthropic Messages API to dry-run against, without spending money. */
export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('Run a local Anthropic Messages API simulator (streaming, batches, rate limits, prompt caching, faults, a ledger).')
    .option('--host <host>', 'address to bind (AF_SIM_HOST; default 127.0.0.1)')
    .option('--port <port>', `port (AF_SIM_PORT; default ${DEFAULTS.port}; 0 picks a free one)`)
    .option('--api-key <key>', 'accept only this key (AF_SIM_API_KEY; default: any non-empty key)')
    .option('--ttft-ms <ms>', `time to first token (AF_SIM_TTFT_MS; default ${DEFAULTS.ttftMs})`)
    .option('--tokens-per-s <n>', `output tokens per second (AF_SIM_TOKENS_PER_S; default ${DEFAULTS.tokensPerS})`)
    .option('--rpm <n>', 'requests per minute (AF_SIM_RPM; default unlimited)')
    .option('--itpm <n>', 'input tokens per minute (AF_SIM_ITPM; default unlimited)')
    .option('--otpm <n>', 'output tokens per minute (AF_SIM_OTPM; default unlimited)')
    .option('--fault-rate <share>', 'share of requests given a random fault, 0..1 (AF_SIM_FAULT_RATE; default 0)')
    .option('--fault-kinds <list>', `kinds drawn by --fault-rate (AF_SIM_FAULT_KINDS; default 429,529,500,reset,midstream; any of ${FAULT_KINDS.join(',')})`)
    .option('--batch-ms <ms>', `time for a message batch to end (AF_SIM_BATCH_MS; default ${DEFAULTS.batchMs})`)
    .option('--seed <n>', 'seed of the random faults (AF_SIM_SEED; default 1)')
    .addHelpText('after', '\nThe ledger (requests, tokens by kind, cost, 429s, faults) is at GET /_ledger; POST /_ledger/reset zeroes it.')
    .action(async (flags: SimFlags) => {
      const host = flags.host ?? env('AF_SIM_HOST');
      const apiKey = flags.apiKey ?? env('AF_SIM_API_KEY');
      const options: SimulatorOptions = {
        ...(host !== undefined ? { host } : {}),
        ...(apiKey !== undefined ? { apiKey } : {}),
        port: number(Int.max(65535), flags.port ?? env('AF_SIM_PORT') ?? DEFAULTS.port, '--port'),
        ttftMs: number(Int, flags.ttftMs ?? env('AF_SIM_TTFT_MS') ?? DEFAULTS.ttftMs, '--ttft-ms'),
        tokensPerSecond: number(Positive, flags.tokensPerS ?? env('AF_SIM_TOKENS_PER_S') ?? DEFAULTS.tokensPerS, '--tokens-per-s'),
        limits: {
          rpm: number(Int.min(1), flags.rpm ?? env('AF_SIM_RPM'), '--rpm'),
          itpm: number(Int.min(1), flags.itpm ?? env('AF_SIM_ITPM'), '--itpm'),
          otpm: number(Int.min(1), flags.otpm ?? env('AF_SIM_OTPM'), '--otpm'),
        },
        faults: {
          rate: number(Share, flags.faultRate ?? env('AF_SIM_FAULT_RATE'), '--fault-rate') ?? 0,
          kinds: faultKinds(flags.faultKinds ?? env('AF_SIM_FAULT_KINDS')),
        },
        batch: { processingMs: number(Int, flags.batchMs ?? env('AF_SIM_BATCH_MS') ?? DEFAULTS.batchMs, '--batch-ms') },
        seed: number(z.coerce.number().int(), flags.seed ?? env('AF_SIM_SEED'), '--seed') ?? 1,
      };
      const sim = await startSimulator(options);
      // stdout carries what a script needs: the URL and the key line to export. A key the user chose
      // is a secret that stdout (often a log) must not carry: they know it, so it is shown masked.
      const keyLine = apiKey === undefined ? 'ANTHROPIC_API_KEY=sim-key' : `# ANTHROPIC_API_KEY: the key given with --api-key / AF_SIM_API_KEY (${maskKey(apiKey)})`;
      process.stdout.write(
        `Anthropic API simulator at ${sim.url} (ledger: ${sim.url}/_ledger). Ctrl-C stops.\n` +
          `ANTHROPIC_BASE_URL=${sim.url}\n${keyLine}\n`,
      );
      await untilStopSignal();
      const { requests, tokens, costUsd, responses429, faults } = sim.ledger;
      const t = tokens.realtime;
      const b = tokens.batch;
      process.stderr.write(
        `sim: ${requests.total} requests, ${responses429} answered 429, ${faults.total} faults; ` +
          `realtime tokens in ${t.input} out ${t.output} cache write ${t.cacheCreation} read ${t.cacheRead}; ` +
          `batch tokens in ${b.input} out ${b.output}; cost $${(costUsd.realtime + costUsd.batch).toFixed(4)}\n`,
      );
      await sim.close();
      setTimeout(() => process.exit(0), 2000).unref();
    });
}
