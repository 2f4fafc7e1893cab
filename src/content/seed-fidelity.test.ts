// The Portuguese guide must keep every sentence, list item, code line and heading of the author's
// original text (seed/), apart from the image it replaces with our own diagram.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const contentDir = fileURLToPath(new URL('.', import.meta.url));
const seed = readFileSync(join(contentDir, 'seed/arquitetura-docker.txt'), 'utf8');
/** Obvious typos of the seed, fixed in the guide. */
const typoFixes: Record<string, string> = { Arquitura: 'Arquitetura' };

/** Reduces Markdown, MDX or HTML to its words, so wording is compared and not markup. */
function plainText(text: string): string {
  return text
    .replace(/<[^>]+>/g, ' ')
    .replace(/^\s*(?:#{1,6}|>|[-–*]|\d+\.)\s+/gm, '')
    .replace(/^\s*\d+\.\s+/gm, '')
    .replace(/\*\*|[*_`]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function seedLines(): string[] {
  const lines = seed.split('\n').map((line) => line.trim());
  return lines
    .filter((line) => line && line !== '---' && !line.startsWith('```') && !line.startsWith('!['))
    .map((line) => Object.entries(typoFixes).reduce((text, [typo, fix]) => text.replaceAll(typo, fix), line))
    .map(plainText);
}

function portugueseGuide(): string {
  const docs = join(contentDir, 'docs');
  const files = readdirSync(docs, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.mdx?$/.test(file) && !file.startsWith('en/'));
  const texts = files.map((file) => {
    const text = readFileSync(join(docs, file), 'utf8');
    const title = /^title: (.*)$/m.exec(text)?.[1] ?? '';
    const body = text.replace(/^---\n[\s\S]*?\n---\n/, '').replace(/^import .*$/gm, '');
    return `${title}\n${body}`;
  });
  return plainText(texts.join('\n'));
}

describe('the Portuguese guide against the seed', () => {
  const guide = portugueseGuide();
  const lines = seedLines();

  it('reads the seed', () => {
    expect(lines.length).toBeGreaterThan(80);
  });

  it.each(lines)('keeps «%s»', (line) => {
    expect(guide).toContain(line);
  });
});
