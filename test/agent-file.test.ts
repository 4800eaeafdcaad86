import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderAgentFile, withAgentName } from '@agent-factory/core';

function frontmatterOf(text: string): unknown {
  return parse(/^---\n([\s\S]*?)\n---\n/.exec(text)?.[1] ?? '', { strict: true, uniqueKeys: true });
}

describe('renderAgentFile', () => {
  it('writes frontmatter that strict YAML reads back exactly, whatever the description holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.constantFrom('Read, Grep, Glob', 'Read'), (description, tools) => {
        const fm = { name: 'some-agent', description, tools, model: 'sonnet' };
        expect(frontmatterOf(renderAgentFile(fm, 'You are an agent.'))).toEqual(fm);
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it('quotes the values YAML would misread: a colon, a comment mark, booleans, numbers', () => {
    for (const description of ['Use when: reviewing', 'a # b', 'true', 'no', '1.5', '- item', '[x]', "it's fine", ' padded ']) {
      const fm = { name: 'a', description, tools: 'Read', model: 'haiku' };
      expect(frontmatterOf(renderAgentFile(fm, 'body'))).toEqual(fm);
    }
  });

  it('renames an agent in its frontmatter only', () => {
    const text = renderAgentFile({ name: 'x-reviewer', description: 'd', tools: 'Read', model: 'haiku' }, 'name: stays in the body');
    const renamed = withAgentName(text, 'x-reviewer-2');
    expect(frontmatterOf(renamed)).toMatchObject({ name: 'x-reviewer-2' });
    expect(renamed).toContain('name: stays in the body');
  });
});
