// Astro integration that runs the lesson checks before anything is built, so a broken lesson
// fails `astro build` and `astro dev` with one readable list of problems.
import type { AstroIntegration } from 'astro';
import { fileURLToPath } from 'node:url';
import { checkLessons, formatLessonProblems } from './check-lessons';

export function lessonChecks(options: { docsDir: string; translatedLocales: readonly string[] }): AstroIntegration {
  return {
    name: 'doca:lesson-checks',
    hooks: {
      'astro:config:setup': ({ config, logger }) => {
        const problems = checkLessons({ root: fileURLToPath(config.root), ...options });
        if (problems.length === 0) return;
        logger.error(formatLessonProblems(problems));
        throw new LessonCheckError(problems.length);
      },
    },
  };
}

/** Thrown after the problems are logged; its own message stays one line so no stack trace buries them. */
export class LessonCheckError extends Error {
  constructor(count: number) {
    super(`The lesson checks failed with ${count} problem${count === 1 ? '' : 's'} (listed above).`);
    this.name = 'LessonCheckError';
    this.stack = this.message;
  }
}
