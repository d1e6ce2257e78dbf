/**
 * Just enough Markdown for the documentation's tests: the prose lines (outside fenced code), the
 * fenced code, headings as GitHub anchors them, links, inline code spans and tables.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../repo-paths.js';

/** README.md and every Markdown file of docs/, from the repository's root. */
export function docFiles(): string[] {
  const docs = readdirSync(path.join(REPO_ROOT, 'docs')).filter((name) => name.endsWith('.md'));
  return ['README.md', ...docs.sort().map((name) => `docs/${name}`)];
}

export function readDoc(file: string): string {
  return readFileSync(path.join(REPO_ROOT, file), 'utf8');
}

export interface Split {
  /** Lines outside fenced code blocks, with their numbers (1-based). */
  prose: { line: number; text: string }[];
  /** Lines inside fenced code blocks. */
  code: { line: number; text: string }[];
}

export function splitFences(markdown: string): Split {
  const split: Split = { prose: [], code: [] };
  let inFence = false;
  markdown.split('\n').forEach((text, i) => {
    if (text.trimStart().startsWith('```')) {
      inFence = !inFence;
      return;
    }
    (inFence ? split.code : split.prose).push({ line: i + 1, text });
  });
  return split;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a document's headings; a repeated heading gets -1, -2, … as on GitHub. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const { text } of splitFences(markdown).prose) {
    const heading = /^#{1,6}\s+(.*)$/.exec(text);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

export interface Found {
  line: number;
  value: string;
}

/** Targets of inline links and images, `[text](target)`, outside fenced code. */
export function links(markdown: string): Found[] {
  const found: Found[] = [];
  for (const { line, text } of splitFences(markdown).prose) {
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) found.push({ line, value: match[1]! });
  }
  return found;
}

/** Inline code spans outside fenced code; a span may run across a line break, as in Markdown. */
export function codeSpans(markdown: string): Found[] {
  const { prose } = splitFences(markdown);
  const lineAt: number[] = [];
  let text = '';
  for (const { line, text: row } of prose) {
    lineAt.push(...Array.from({ length: row.length + 1 }, () => line));
    text += `${row}\n`;
  }
  return [...text.matchAll(/(`+)([^`]+?)\1/g)].map((match) => ({
    line: lineAt[match.index] ?? 0,
    value: match[2]!.replace(/\s+/g, ' ').trim(),
  }));
}

/** The rows of the first table after `heading` (a line such as `## Close codes`), as cells. */
export function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  if (start === -1) throw new Error(`no heading "${heading}"`);
  const rows: string[][] = [];
  for (const text of lines.slice(start + 1)) {
    if (text.startsWith('#')) break;
    if (!text.startsWith('|')) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push(text.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim()));
  }
  // Drop the header and the separator row.
  return rows.slice(2);
}

/** Every tracked or new (not ignored) file of the repository that is on disk, and its folders. */
export function repositoryPaths(): { files: Set<string>; dirs: Set<string> } {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const files = new Set(listed.split('\0').filter((file) => file && existsSync(path.join(REPO_ROOT, file))));
  const dirs = new Set<string>();
  for (const file of files) {
    const parts = file.split('/');
    for (let i = 1; i < parts.length; i += 1) dirs.add(parts.slice(0, i).join('/'));
  }
  return { files, dirs };
}
