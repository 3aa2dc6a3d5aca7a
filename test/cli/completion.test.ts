// `rgsd completion bash|zsh` from the BUILT CLI, loaded into real bash and real zsh.
// bash: `complete -p rgsd` after sourcing, then the completion function driven with
// COMP_WORDS/COMP_CWORD. zsh: compinit + source loads cleanly, the #compdef file works
// from $fpath, and a real interactive zsh (zpty) completes commands and project names.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/test-app.js';

const BIN = resolve(REPO_ROOT, 'bin', 'rgsd');

function configWithProjects(...names: string[]): string {
  const dir = tempDir('rgsd-compl-');
  mkdirSync(join(dir, 'projects'), { recursive: true });
  for (const n of names) writeFileSync(join(dir, 'projects', `${n}.yaml`), 'agent: gsd\n');
  writeFileSync(join(dir, 'projects', 'README.txt'), 'not a project\n');
  return dir;
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: tempDir('rgsd-home-'), RGSD_NODE: process.execPath, RGSD_BIN: BIN, TERM: 'xterm', ...extra };
}

let bashScript = '';
let zshScript = '';
beforeAll(async () => {
  const b = await execa(process.execPath, [BIN, 'completion', 'bash'], { env: env(), extendEnv: false });
  const z = await execa(process.execPath, [BIN, 'completion', 'zsh'], { env: env(), extendEnv: false });
  bashScript = b.stdout;
  zshScript = z.stdout;
});

describe('rgsd completion bash (real bash)', () => {
  it('prints a script that registers the completion: `complete -p rgsd`', async () => {
    const r = await execa(
      'bash',
      ['--norc', '--noprofile', '-c', 'source <("$RGSD_NODE" "$RGSD_BIN" completion bash) && complete -p rgsd'],
      { env: env(), extendEnv: false, reject: false },
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('complete -F _rgsd rgsd');
  });

  it('is shellcheck clean', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rgsd.bash'), bashScript);
    const r = await execa('shellcheck', ['-s', 'bash', join(dir, 'rgsd.bash')], { reject: false });
    expect(r.stdout).toBe('');
    expect(r.exitCode).toBe(0);
  });

  /** COMPREPLY for a command line (the last word is the one being completed). */
  async function complete(words: string[], configDir?: string): Promise<string[]> {
    const dir = tempDir();
    const script = join(dir, 'rgsd.bash');
    writeFileSync(script, bashScript);
    const r = await execa(
      'bash',
      [
        '--norc',
        '--noprofile',
        '-c',
        'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _rgsd; printf "%s\\n" "${COMPREPLY[@]}"',
        'bash',
        script,
        ...words,
      ],
      { env: env(configDir ? { RGSD_CONFIG_DIR: configDir } : {}), extendEnv: false },
    );
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean);
  }

  it('completes every command', async () => {
    expect(await complete(['rgsd', ''])).toEqual([
      'init',
      'up',
      'install',
      'upgrade',
      'down',
      'stop',
      'status',
      'peek',
      'run',
      'tasks',
      'watch',
      'transcript',
      'backup',
      'restore',
      'push',
      'pull',
      'nuke',
      'destroy',
      'connect',
      'attach',
      'exec',
      'shell',
      'forward',
      'logs',
      'sleep',
      'restart',
      'reset-home',
      'doctor',
      'completion',
    ]);
    expect(await complete(['rgsd', 're'])).toEqual(['restore', 'restart', 'reset-home']);
  });

  it('completes project names from <config dir>/projects/*.yaml', async () => {
    const cfg = configWithProjects('alpha', 'beta');
    expect(await complete(['rgsd', 'nuke', ''], cfg)).toEqual(['alpha', 'beta']);
    expect(await complete(['rgsd', '-n', 'team', 'connect', 'a'], cfg)).toEqual(['alpha']);
    expect(await complete(['rgsd', 'nuke', '--confirm', ''], cfg)).toEqual(['alpha', 'beta']);
    // --config-dir on the command line wins over the environment
    const other = configWithProjects('gamma');
    expect(await complete(['rgsd', '--config-dir', other, 'up', ''], cfg)).toEqual(['gamma']);
    // a new name for init: nothing to complete
    expect(await complete(['rgsd', 'init', ''], cfg)).toEqual([]);
    // the second positional of connect is a session, not a project
    expect(await complete(['rgsd', 'connect', 'alpha', ''], cfg)).toEqual([]);
  });

  it('completes flags per command, choices and shells', async () => {
    expect(await complete(['rgsd', 'logs', '--'])).toEqual(
      expect.arrayContaining(['--follow', '--tail', '--previous', '--init', '--help', '--namespace', '--context']),
    );
    expect(await complete(['rgsd', 'nuke', '--c'])).toEqual(['--confirm', '--context', '--config-dir']);
    expect(await complete(['rgsd', 'init', 'x', '--agent', ''])).toEqual(['gsd', 'claude', 'codex', 'none']);
    expect(await complete(['rgsd', 'completion', ''])).toEqual(['bash', 'zsh']);
    expect(await complete(['rgsd', '--'])).toEqual(
      expect.arrayContaining(['--version', '--namespace', '--context', '--config-dir', '--yes', '--verbose', '--no-color', '--help']),
    );
  });
});

describe('rgsd completion bash follows the command specs', () => {
  it('every flag of every command (and the global ones) is offered after that command', async () => {
    const { loadCommands } = await import('../../src/commands/index.js');
    const { GLOBAL_OPTIONS, parseFlags } = await import('../../src/cli/spec.js');
    const longs = (flags: string) => parseFlags(flags).long as string;
    const dir = tempDir();
    writeFileSync(join(dir, 'rgsd.bash'), bashScript);
    for (const { spec } of await loadCommands()) {
      const r = await execa(
        'bash',
        [
          '--norc',
          '--noprofile',
          '-c',
          'source "$1"; COMP_WORDS=(rgsd "$2" --); COMP_CWORD=2; _rgsd; printf "%s\\n" "${COMPREPLY[@]}"',
          'bash',
          join(dir, 'rgsd.bash'),
          spec.name,
        ],
        { env: env(), extendEnv: false },
      );
      const offered = r.stdout.split('\n');
      expect(offered, spec.name).toEqual(expect.arrayContaining([...spec.options, ...GLOBAL_OPTIONS].map((o) => longs(o.flags))));
      expect(offered, spec.name).toContain('--help');
    }
  });
});

describe('rgsd completion zsh (real zsh)', () => {
  it('loads after compinit without error and registers _rgsd for rgsd', async () => {
    const r = await execa(
      'zsh',
      ['-f', '-c', 'autoload -Uz compinit; compinit -u -D; source <("$RGSD_NODE" "$RGSD_BIN" completion zsh); print -r -- "$_comps[rgsd]"'],
      {
        env: env(),
        extendEnv: false,
        reject: false,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('_rgsd');
  });

  it('works as an autoloaded _rgsd file on $fpath (#compdef)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '_rgsd'), zshScript);
    const r = await execa(
      'zsh',
      ['-f', '-c', 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -D; print -r -- "$_comps[rgsd]"', 'zsh', dir],
      { env: env(), extendEnv: false, reject: false },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('_rgsd');
  });

  it('lists project names from the config dir', async () => {
    const cfg = configWithProjects('alpha', 'beta');
    const r = await execa('zsh', ['-f', '-c', 'source <("$RGSD_NODE" "$RGSD_BIN" completion zsh) 2>/dev/null; _rgsd_project_names'], {
      env: env({ RGSD_CONFIG_DIR: cfg }),
      extendEnv: false,
    });
    expect(r.stdout.split('\n')).toEqual(['alpha', 'beta']);
  });

  /** Type `line` + TAB TAB into a real interactive zsh (zpty) and return what it printed,
   * read until the output holds `until` (a zsh glob) — a condition, not a quiet period, so
   * a slow machine only makes it wait longer (up to 20 s, then the assertion shows what came). */
  async function zshTab(line: string, configDir: string, until: string): Promise<string> {
    const dir = tempDir();
    writeFileSync(join(dir, 'rgsd.zsh'), zshScript);
    const driver = `
zmodload zsh/zpty
zpty -b z 'zsh -f -i'
zpty -w z 'PS1="> "; autoload -Uz compinit; compinit -u -D; source ${join(dir, 'rgsd.zsh')}; print READY""MARK'
out=""
integer n=0
# wait until compinit is done, then type the line and TAB TAB, and read until output settles
while (( n < 400 )); do
  if zpty -r -t z chunk; then out+=$chunk; [[ $out == *READYMARK*'>'* ]] && break; else sleep 0.05; (( n++ )); fi
done
out=""
zpty -w -n z ${"$'"}${line}\\t\\t'
n=0
while (( n < 400 )); do
  if zpty -r -t z chunk; then out+=$chunk; [[ $out == ${until} ]] && break; else sleep 0.05; (( n++ )); fi
done
zpty -d z
print -r -- "$out"
`;
    const r = await execa('zsh', ['-f', '-c', driver], { env: env({ RGSD_CONFIG_DIR: configDir }), extendEnv: false, timeout: 30_000 });
    // strip terminal escapes
    return r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  }

  it('an interactive zsh completes project names and commands', async () => {
    const cfg = configWithProjects('alpha', 'beta');
    expect(await zshTab('rgsd nuke ', cfg, '*alpha*beta*')).toMatch(/alpha\s+beta/);
    // zsh lists them sorted: wait for the last of these (a pattern that never matches waits out the loop)
    const cmds = await zshTab('rgsd ', cfg, '*completion*pull*push*reset-home*');
    for (const c of ['connect', 'nuke', 'reset-home', 'completion', 'push', 'pull']) expect(cmds).toContain(c);
    expect(cmds).toMatch(/nuke\s+-- destroy a project/);
  }, 60_000);
});
