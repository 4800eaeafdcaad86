/** Varied, realistic requirements from a seed, so benchmarks never measure one cached string. */
const VERBS = ['Review', 'Generate tests for', 'Optimize', 'Document', 'Audit', 'Refactor', 'Migrate', 'Monitor', 'Debug', 'Build', 'Validate', 'Research best practices for'];
const OBJECTS = ['pull requests', 'API endpoints', 'database queries', 'CI pipelines', 'infrastructure code', 'UI components', 'data pipelines', 'deployment manifests', 'authentication flows', 'background jobs'];
const STACKS = ['React', 'Next.js', 'FastAPI', 'Django', 'Express', 'Spring Boot', 'Go', 'Rust', 'PostgreSQL', 'Kafka', 'Kubernetes', 'Terraform', 'Airflow', 'PyTorch', 'Vue', 'GraphQL', 'Redis', 'Playwright'];
const TAILS = [
  '', ' for a small team', ' across several services in production', ' for an enterprise with multi-region deployments',
  ' and report findings without modifying files', ' with approval before any change', ' and post a summary to Slack',
  ' using the latest documentation', ' in a microservices architecture with real-time event streaming',
];

/** A deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticRequirements(count: number, seed = 42): string[] {
  const next = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return Array.from({ length: count }, (_, i) => {
    const second = next() < 0.3 ? ` and ${pick(STACKS)}` : '';
    return `${pick(VERBS)} ${pick(STACKS)}${second} ${pick(OBJECTS)}${pick(TAILS)} (case ${i}).`;
  });
}
