import { describe, expect, it } from 'vitest';
import { ComplexitySchema, analyze, assessComplexity } from '@agent-factory/core';

const assess = (requirement: string, options = {}) => assessComplexity(analyze(requirement), options);

describe('assessComplexity: tier calibration', () => {
  it.each([
    ['An agent that formats commit messages', 'simple'],
    ['Fix typos in the README', 'simple'],
    ['A Go service code reviewer that checks goroutine leaks', 'simple'],
    ['A code reviewer for React + TypeScript pull requests that checks hooks usage and accessibility', 'standard'],
    ['Build a FastAPI service with PostgreSQL and Redis caching, deployed to Kubernetes via GitHub Actions, for the team', 'standard'],
    ['A security auditor that scans Express.js APIs for OWASP Top 10 vulnerabilities; read-only, only report findings', 'standard'],
    [
      'Orchestrate a migration of 40 microservices from a monolith to Kubernetes with Kafka event streaming across multiple regions, with approval gates, for an enterprise',
      'complex',
    ],
    [
      'Coordinate sub-agents that migrate a multi-tenant, event-driven billing platform from RabbitMQ to Kafka, integrating Stripe, Salesforce and Slack, with zero downtime across the organization',
      'complex',
    ],
  ])('%s → %s', (requirement, tier) => {
    const c = assess(requirement);
    expect(c.tier).toBe(tier);
    expect(ComplexitySchema.safeParse(c).success).toBe(true);
  });

  it('scores from the four weighted features, clamped to 1–10', () => {
    const c = assess('Orchestrate a migration of 40 microservices to Kubernetes with Kafka across multiple regions for an enterprise');
    const { capability, integration, scale, pattern } = c.features;
    expect(c.score).toBe(Math.max(1, Math.min(10, Math.round(0.3 * capability + 0.25 * integration + 0.25 * scale + 0.2 * pattern))));
    expect(scale).toBe(9);
    for (const v of Object.values(c.features)) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(10);
    }
    expect(assess('🚀').score).toBe(1);
  });

  it('maps scale to its feature value', () => {
    expect(assess('Format commit messages').features.scale).toBe(1);
    expect(assess('Format commit messages for the team').features.scale).toBe(5);
    expect(assess('Format commit messages across the enterprise').features.scale).toBe(9);
  });
});

describe('assessComplexity: model and overrides', () => {
  it('picks the model by tier', () => {
    expect(assess('An agent that formats commit messages').model).toBe('haiku');
    expect(assess('A code reviewer for React + TypeScript pull requests that checks hooks usage and accessibility').model).toBe('sonnet');
    expect(
      assess('Orchestrate a migration of 40 microservices to Kubernetes with Kafka event streaming across multiple regions for an enterprise').model,
    ).toBe('opus');
  });

  it('lets the user force the tier, and says so', () => {
    const c = assess('An agent that formats commit messages', { tier: 'complex' });
    expect(c.tier).toBe('complex');
    expect(c.model).toBe('opus');
    expect(c.score).toBeLessThanOrEqual(3);
    expect(c.reasons[0]).toMatch(/set by the user/);
  });

  it('uses configured models per tier, and the explicit model over everything', () => {
    expect(assess('Format commit messages', { models: { simple: 'sonnet' } }).model).toBe('sonnet');
    expect(assess('Format commit messages', { models: { complex: 'opus' } }).model).toBe('haiku');
    const c = assess('Format commit messages', { model: 'claude-opus-4-8', models: { simple: 'sonnet' }, tier: 'standard' });
    expect(c.model).toBe('claude-opus-4-8');
    expect(c.reasons[1]).toMatch(/chosen by the user/);
  });

  it('gives one reason for the tier and one for the model', () => {
    const c = assess('Build a FastAPI service with PostgreSQL for the team');
    expect(c.reasons).toHaveLength(2);
    expect(c.reasons[0]).toMatch(new RegExp(`${c.tier} tier`));
    expect(c.reasons[0]).toMatch(/integration|capability|scale|pattern/);
    expect(c.reasons[1]).toMatch(new RegExp(`Model ${c.model}`));
  });
});
