// Build-time lesson checks: valid frontmatter everywhere, and every lesson has a twin in every
// locale with the same sections, code blocks and position.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { readLessonSource, type LessonProblem, type LessonSource } from './lesson-source';

export interface LessonCheckOptions {
  /** Project root; reported paths are relative to it. */
  root: string;
  /** Docs folder relative to root, holding the root locale with each translation in a subfolder. */
  docsDir: string;
  /** Path prefixes of the translated locales, e.g. ['en']. */
  translatedLocales: readonly string[];
}

const lessonExtension = /\.mdx?$/;

export function checkLessons({ root, docsDir, translatedLocales }: LessonCheckOptions): LessonProblem[] {
  const docsPath = join(root, docsDir);
  const editions = new Map<string, Map<string, string>>(); // locale → slug path → file
  for (const locale of ['', ...translatedLocales]) editions.set(locale, new Map());

  for (const file of listFiles(docsPath)) {
    const inDocs = relative(docsPath, file).split(sep).join('/');
    const [first, ...rest] = inDocs.split('/');
    const locale = translatedLocales.includes(first) && rest.length > 0 ? first : '';
    editions.get(locale)!.set(locale ? rest.join('/') : inDocs, file);
  }

  const problems: LessonProblem[] = [];
  const sources = new Map<string, LessonSource>();
  const display = (file: string) => relative(root, file).split(sep).join('/');
  for (const files of editions.values()) {
    for (const file of files.values()) {
      const result = readLessonSource(display(file), readFileSync(file, 'utf8'));
      if (result.ok) sources.set(file, result.lesson);
      else problems.push(...result.problems);
    }
  }

  const slugs = new Set([...editions.values()].flatMap((files) => [...files.keys()]));
  for (const slug of [...slugs].sort()) {
    const present = [...editions].filter(([, files]) => files.has(slug));
    const [reference] = present;
    for (const [locale] of editions) {
      if (editions.get(locale)!.has(slug)) continue;
      problems.push({
        file: display(reference[1].get(slug)!),
        field: 'twin',
        message: `has no ${locale || 'root-locale (pt-BR)'} twin at ${join(docsDir, locale, slug).split(sep).join('/')}`,
        fix: 'translate the lesson to that path, keeping the same file name, or delete it in every locale',
      });
    }
    const [referenceFile, ...twinFiles] = present.map(([, files]) => files.get(slug)!);
    const referenceSource = sources.get(referenceFile);
    if (!referenceSource) continue;
    for (const twinFile of twinFiles) {
      const twin = sources.get(twinFile);
      if (twin) problems.push(...compareTwins(display(referenceFile), referenceSource, display(twinFile), twin));
    }
  }
  return problems;
}

function compareTwins(aFile: string, a: LessonSource, bFile: string, b: LessonSource): LessonProblem[] {
  const problems: LessonProblem[] = [];
  const shape = (levels: number[]) => levels.map((level) => '#'.repeat(level)).join(' ') || 'none';
  if (shape(a.headingLevels) !== shape(b.headingLevels)) {
    problems.push({
      file: bFile,
      field: 'sections',
      message: `has ${count(b.headingLevels.length, 'section')} (${shape(b.headingLevels)}) but its twin ${aFile} has ${count(a.headingLevels.length, 'section')} (${shape(a.headingLevels)})`,
      fix: 'give both editions the same headings, in the same order and at the same levels',
    });
  }
  if (a.codeBlocks !== b.codeBlocks) {
    problems.push({
      file: bFile,
      field: 'code blocks',
      message: `has ${count(b.codeBlocks, 'code block')} but its twin ${aFile} has ${count(a.codeBlocks, 'code block')}`,
      fix: 'translate the prose around the code and keep every code block in both editions',
    });
  }
  if (a.frontmatter.sidebar.order !== b.frontmatter.sidebar.order) {
    problems.push({
      file: bFile,
      field: 'sidebar.order',
      message: `is ${b.frontmatter.sidebar.order} but its twin ${aFile} has ${a.frontmatter.sidebar.order}`,
      fix: 'use the same `sidebar.order` in both editions so the lessons keep one sequence',
    });
  }
  return problems;
}

export function formatLessonProblems(problems: readonly LessonProblem[]): string {
  const lines = problems.map((p) => `- ${p.file}, ${p.field}: ${p.message}. Fix: ${p.fix}.`);
  return `${count(problems.length, 'lesson problem')} found:\n${lines.join('\n')}`;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && lessonExtension.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
