#!/usr/bin/env node
// Copy-paste detector for src/: fails when the same block of code (MIN_LINES consecutive
// significant lines, compared after trimming) appears twice, in one file or in two.
// Blank lines, comments, imports and lone punctuation do not count. Run by `npm run lint`.
// Usage: node scripts/check-duplicates.mjs [dir] [min-lines]     (defaults: src 6)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.argv[2] ?? 'src';
const MIN_LINES = Number(process.argv[3] ?? 6);

function* files(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|mjs|js)$/.test(name)) yield p;
  }
}

/** Significant lines of a file: [line number, trimmed text]. */
function significant(text) {
  const out = [];
  let inBlockComment = false;
  text.split('\n').forEach((raw, i) => {
    let line = raw.trim();
    if (inBlockComment) {
      if (line.includes('*/')) inBlockComment = false;
      return;
    }
    if (line.startsWith('/*') && !line.includes('*/')) {
      inBlockComment = true;
      return;
    }
    if (line === '' || line.startsWith('//') || line.startsWith('/*') || line.startsWith('*')) return;
    if (/^(import|export) .* from '[^']+';$/.test(line) || /^import '[^']+';$/.test(line)) return;
    line = line.replace(/\s+/g, ' ');
    if (/^[\])};,]+$/.test(line)) return;
    out.push([i + 1, line]);
  });
  return out;
}

const seen = new Map(); // window text → first place
const found = [];
for (const file of files(root)) {
  const lines = significant(readFileSync(file, 'utf8'));
  let skipUntil = -1;
  for (let i = 0; i + MIN_LINES <= lines.length; i++) {
    const key = lines
      .slice(i, i + MIN_LINES)
      .map(([, l]) => l)
      .join('\n');
    const here = { file: relative(process.cwd(), file), from: lines[i][0], to: lines[i + MIN_LINES - 1][0] };
    const first = seen.get(key);
    if (!first) seen.set(key, here);
    else if (i > skipUntil && !(first.file === here.file && first.to >= here.from)) {
      found.push([first, here]);
      skipUntil = i + MIN_LINES - 1; // one report per run of duplicated lines
    }
  }
}
for (const [a, b] of found) console.error(`duplicate block: ${a.file}:${a.from}-${a.to} ~ ${b.file}:${b.from}-${b.to}`);
if (found.length) {
  console.error(
    `check-duplicates: ${found.length} repeated block${found.length === 1 ? '' : 's'} of ${MIN_LINES}+ lines in ${root}/: share the code instead`,
  );
  process.exit(1);
}
console.log(`check-duplicates: no repeated blocks of ${MIN_LINES}+ lines in ${root}/`);
