// Reads one lesson's MDX source into the facts the build checks: frontmatter, heading levels, code blocks.
import { parse as parseYAML, YAMLParseError } from 'yaml';
import { z } from 'astro/zod';

export const lessonFrontmatterSchema = z.looseObject({
  title: z.string().trim().min(1),
  description: z.string().trim().min(1),
  sidebar: z.looseObject({ order: z.number().int().nonnegative() }),
});

export type LessonFrontmatter = z.infer<typeof lessonFrontmatterSchema>;

export interface LessonSource {
  frontmatter: LessonFrontmatter;
  /** Levels (2–6) of the Markdown headings, in order. */
  headingLevels: number[];
  codeBlocks: number;
}

export interface LessonProblem {
  file: string;
  field: string;
  message: string;
  fix: string;
}

const fieldFixes: Record<string, string> = {
  title: 'add `title: "…"` with the lesson title as readers see it',
  description: 'add `description: "…"`: one sentence for search results and the lesson list',
  sidebar: 'add `sidebar:` with `order: N`, the lesson position (0 for a landing page)',
  'sidebar.order': 'set `sidebar.order` to a whole number: the lesson position (0 for a landing page)',
};

const frontmatterPattern = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;
const fencePattern = /^ {0,3}(`{3,}|~{3,})/;
const headingPattern = /^ {0,3}(#{2,6})\s+\S/;

export function readLessonSource(
  file: string,
  text: string,
): { ok: true; lesson: LessonSource } | { ok: false; problems: LessonProblem[] } {
  const match = frontmatterPattern.exec(text);
  if (!match) {
    return fail(file, 'frontmatter', 'has no frontmatter', 'start the file with a `---` block holding `title`, `description` and `sidebar.order`');
  }
  let data: unknown;
  try {
    data = parseYAML(match[1]);
  } catch (error) {
    const detail = error instanceof YAMLParseError ? error.message.split('\n')[0] : String(error);
    return fail(file, 'frontmatter', `has frontmatter that is not valid YAML (${detail})`, 'fix the YAML between the `---` lines');
  }
  const parsed = lessonFrontmatterSchema.safeParse(data ?? {}, { reportInput: true });
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const field = issue.path.join('.') || 'frontmatter';
        return {
          file,
          field,
          message: describeIssue(issue),
          fix: fieldFixes[field] ?? 'correct this field in the frontmatter',
        };
      }),
    };
  }
  return { ok: true, lesson: { frontmatter: parsed.data, ...scanBody(text.slice(match[0].length)) } };
}

/** Counts headings and fenced code blocks, ignoring anything inside a fence. */
function scanBody(body: string): Pick<LessonSource, 'headingLevels' | 'codeBlocks'> {
  const headingLevels: number[] = [];
  let codeBlocks = 0;
  let openFence: string | undefined;
  for (const line of body.split(/\r?\n/)) {
    const fence = fencePattern.exec(line)?.[1];
    if (openFence) {
      if (fence && fence[0] === openFence[0] && fence.length >= openFence.length && line.trim() === fence) {
        openFence = undefined;
      }
      continue;
    }
    if (fence) {
      openFence = fence;
      codeBlocks += 1;
      continue;
    }
    const heading = headingPattern.exec(line)?.[1];
    if (heading) headingLevels.push(heading.length);
  }
  return { headingLevels, codeBlocks };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is missing';
  return `is invalid: ${issue.message}`;
}

function fail(file: string, field: string, message: string, fix: string) {
  return { ok: false as const, problems: [{ file, field, message, fix }] };
}
