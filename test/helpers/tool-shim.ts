// PATH shims for `helm` and `kubectl` in built-CLI tests: each invocation appends its argv
// (one line, space-joined) to a log file and answers from a table of rules
// (bash regexp over "$*" → stdout + exit code, or a command to run instead).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './test-app.js';

export interface ShimRule {
  /** bash extended regexp matched against "$*" (first matching rule wins) */
  match: string;
  stdout?: string;
  exitCode?: number;
  /** bash run instead (inherits the shim's stdio), e.g. to emulate `kubectl exec -it` */
  run?: string;
}

export interface Shim {
  /** put first on PATH */
  bin: string;
  /** Recorded invocations, e.g. "kubectl --context ctx -n rgsd get pods …" */
  calls(): string[];
}

export function makeShim(rules: { helm?: ShimRule[]; kubectl?: ShimRule[] }): Shim {
  const dir = tempDir('rgsd-shim-');
  const bin = join(dir, 'bin');
  const log = join(dir, 'calls.log');
  mkdirSync(bin);
  for (const tool of ['helm', 'kubectl'] as const) {
    const lines = ['#!/usr/bin/env bash', 'set -euo pipefail', `printf '%s\\n' "${tool} $*" >> '${log}'`, 'args="$*"'];
    (rules[tool] ?? []).forEach((r, i) => {
      const out = join(dir, `${tool}-${i}.out`);
      const re = join(dir, `${tool}-${i}.re`);
      writeFileSync(out, r.stdout ?? '');
      writeFileSync(re, r.match);
      lines.push(
        `re="$(cat '${re}')"`,
        'if [[ $args =~ $re ]]; then',
        r.run ? `  ${r.run}` : `  cat '${out}'; exit ${r.exitCode ?? 0}`,
        'fi',
      );
    });
    lines.push(`echo "shim ${tool}: no rule for: $args" >&2`, 'exit 99', '');
    const f = join(bin, tool);
    writeFileSync(f, lines.join('\n'));
    chmodSync(f, 0o755);
  }
  return { bin, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []) };
}
