/**
 * Every link between the project's own documents leads somewhere: the file exists, and a
 * `#section` names one of its headings (as GitHub makes anchors of them).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The Markdown a reader of the repository sees: at its root and in `docs/`. */
const documents = [
  ...readdirSync(root).filter((name) => name.endsWith('.md')),
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name)),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** A document's text outside its code blocks, read once. */
const prose = new Map<string, string>();

function proseOf(file: string): string {
  let text = prose.get(file);
  if (text === undefined) {
    text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
    prose.set(file, text);
  }
  return text;
}

function anchorsIn(file: string): Set<string> {
  return new Set([...proseOf(file).matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));
}

/** `[text](target)` links outside code blocks that stay within the repository. */
function localLinks(file: string): string[] {
  return [...proseOf(file).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z]+:/i.test(target));
}

describe('links between the documents', () => {
  it('finds the documents and their links', () => {
    assert.ok(documents.includes('README.md') && documents.includes(join('docs', 'design.md')));
    assert.ok(localLinks(join(root, 'README.md')).length > 5);
  });

  it('makes anchors of headings as GitHub does', () => {
    assert.equal(anchorOf('What happens when things fail'), 'what-happens-when-things-fail');
    assert.equal(anchorOf('`npm run bench:auto`'), 'npm-run-benchauto');
    assert.equal(anchorOf('Node and Python: the GIL'), 'node-and-python-the-gil');
  });

  for (const document of documents) {
    it(`${document}: every link leads to a file and a heading that exist`, () => {
      const from = join(root, document);
      const broken: string[] = [];
      for (const link of localLinks(from)) {
        const [path, anchor] = link.split('#') as [string, string | undefined];
        const target = path === '' ? from : join(dirname(from), path);
        if (!existsSync(target)) broken.push(`${link}: no file ${relative(root, target)}`);
        else if (anchor !== undefined && !anchorsIn(target).has(anchor))
          broken.push(`${link}: no heading #${anchor} in ${relative(root, target)}`);
      }
      assert.deepEqual(broken, []);
    });
  }
});
