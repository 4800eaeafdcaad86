import { describe, expect, it } from 'vitest';
import { runPipeline } from '@agent-factory/core';
import { LocalDocsSource } from '@agent-factory/research';

/**
 * Golden agents: the exact files the offline generator writes for ten requirements. A change to
 * the generator shows up here as a readable diff; accept it with `npx vitest run -u` after reading it.
 */
const GOLDEN: Record<string, string> = {
  'terraform-review': 'An agent that reviews Terraform plans for public S3 buckets and overly broad IAM policies before apply.',
  'react-review': 'A code reviewer for React and TypeScript pull requests that checks hooks usage, accessibility and test coverage.',
  'commit-messages': 'Write concise, conventional commit messages from the staged git diff.',
  'fastapi-security': 'Read-only security auditor that scans FastAPI endpoints for missing authentication. It must never modify files.',
  'k8s-migration': 'Orchestrate the migration of 40 microservices from a monolith to Kubernetes with Kafka event streaming across multiple regions, with approval gates, for an enterprise.',
  'pytest-django': 'Generate pytest unit tests for untested functions in a Django project.',
  'airflow-pipelines': 'Build Airflow DAGs that load data from Snowflake into BigQuery every night, with data quality checks.',
  'flaky-playwright': 'Debug flaky Playwright end-to-end tests in our CI pipeline on GitHub Actions.',
  'rust-research': 'Research the latest Rust async runtime options and recommend one for a low-latency trading gateway.',
  'german-review': 'Ein Agent, der Python-Code auf Sicherheitslücken überprüft.',
};

describe('golden agents', () => {
  const docs = new LocalDocsSource();
  for (const [id, requirement] of Object.entries(GOLDEN)) {
    it(id, async () => {
      const result = await runPipeline({ requirement }, { docs });
      expect(result.report.passed).toBe(true);
      await expect(result.content).toMatchFileSnapshot(`golden/${id}.md`);
    });
  }
});
