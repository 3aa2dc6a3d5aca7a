import { describe, expect, it } from 'vitest';
import completionCommand from '../../src/commands/completion.js';
import { COMMAND_NAMES, loadCommands } from '../../src/commands/index.js';
import { HELP_OPTION, VERSION_OPTION } from '../../src/cli/help.js';
import { GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from '../../src/cli/spec.js';
import { AGENTS, SHELLS } from '../../src/core/vocab.js';
import { bashScript, completionSpec, zshScript } from '../../src/cli/completion.js';
import { testApp } from '../helpers/test-app.js';

const GLOBALS: OptionSpec[] = [
  VERSION_OPTION,
  { flags: '--context <name>', description: 'kube context', complete: 'context' },
  { flags: '-y, --yes', description: 'yes' },
  HELP_OPTION,
];
const SPECS: CommandSpec[] = [
  {
    name: 'nuke',
    summary: 'destroy: all [of it]',
    args: [{ name: 'project', required: false, description: 'p', complete: 'project' }],
    options: [{ flags: '--confirm <project>', description: "confirm: the project's name", complete: 'project' }],
    examples: [],
  },
  {
    name: 'init',
    summary: 'create',
    args: [{ name: 'project', required: true, description: 'new name' }],
    options: [
      { flags: '--agent <a>', description: 'agent', choices: ['gsd', 'none'] },
      { flags: '--no-auto-start', description: 'no' },
    ],
    examples: [],
  },
  {
    name: 'completion',
    summary: 'script',
    args: [{ name: 'shell', required: true, description: 's', choices: ['bash', 'zsh'] }],
    options: [],
    examples: [],
  },
];
const spec = () => completionSpec('rgsd', SPECS, GLOBALS, HELP_OPTION);

describe('completion spec from the command specs', () => {
  it('commands, flags, value kinds (`complete`) and choices', () => {
    const s = spec();
    expect(s.commands.map((c) => c.name)).toEqual(['nuke', 'init', 'completion']);
    expect(s.globalOptions.map((o) => [o.flags, o.value])).toEqual([
      [['--version'], 'none'],
      [['--context'], 'context'],
      [['-y', '--yes'], 'none'],
      [['-h', '--help'], 'none'],
    ]);
    const [nuke, init, completion] = s.commands;
    expect(nuke?.description).toBe('destroy: all [of it]');
    expect(nuke?.options.map((o) => [o.flags, o.value])).toEqual([
      [['--confirm'], 'project'],
      [['-h', '--help'], 'none'],
    ]);
    expect(nuke?.args).toEqual([{ name: 'project', required: false, value: 'project', choices: [] }]);
    expect(init?.args[0]?.value).toBe('any'); // init takes a new name: nothing to complete
    expect(init?.options.slice(0, 2)).toEqual([
      { flags: ['--agent'], description: 'agent', value: 'choices', choices: ['gsd', 'none'] },
      { flags: ['--no-auto-start'], description: 'no', value: 'none', choices: [] },
    ]);
    expect(completion?.args[0]).toMatchObject({ required: true, value: 'choices', choices: ['bash', 'zsh'] });
  });

  it('zsh specs escape what _arguments/_describe treat specially', () => {
    const z = zshScript(spec());
    expect(z).toContain("'nuke:destroy\\: all of it'");
    expect(z).toContain("'--confirm[confirm\\: the project’s name]:confirm:_rgsd_projects'");
    expect(z).toContain("'1::project:_rgsd_projects'");
    expect(z).toContain("'1:shell:(bash zsh)'");
    expect(z).toContain("'--agent[agent]:agent:(gsd none)'");
    expect(z.split('\n')[0]).toBe('#compdef rgsd');
  });

  it('bash: value-taking options are skipped when finding the command', () => {
    const b = bashScript(spec());
    expect(b).toContain('    --context) return 0 ;;');
    expect(b).toContain('    "nuke --confirm") return 0 ;;');
    expect(b).toContain('"init --agent"');
    expect(b).not.toContain('"init --no-auto-start"');
    expect(b).toContain('complete -F _rgsd rgsd');
  });
});

describe('rgsd completion (the real specs)', () => {
  it('every command, every global option, and the choices of core/vocab', async () => {
    const specs = (await loadCommands()).map((c) => c.spec);
    const s = completionSpec('rgsd', specs, [VERSION_OPTION, ...GLOBAL_OPTIONS, HELP_OPTION], HELP_OPTION);
    // each command, then its aliases (completed like it)
    expect(s.commands.map((c) => c.name)).toEqual(COMMAND_NAMES.flatMap((n) => [n, ...(specs.find((x) => x.name === n)?.aliases ?? [])]));
    expect(s.commands.find((c) => c.name === 'attach')?.args).toEqual(s.commands.find((c) => c.name === 'connect')?.args);
    expect(s.globalOptions.flatMap((o) => o.flags)).toEqual(
      expect.arrayContaining([
        '--version',
        '-n',
        '--namespace',
        '--context',
        '--config-dir',
        '-y',
        '--yes',
        '-v',
        '--verbose',
        '--no-color',
        '-h',
        '--help',
      ]),
    );
    const byName = new Map(s.commands.map((c) => [c.name, c]));
    expect(byName.get('init')?.options.find((o) => o.flags.includes('--agent'))?.choices).toEqual([...AGENTS]);
    expect(byName.get('completion')?.args[0]?.choices).toEqual([...SHELLS]);
    expect(byName.get('up')?.options.find((o) => o.flags.includes('--chart'))?.value).toBe('file');
    expect(byName.get('connect')?.args.map((a) => a.value)).toEqual(['project', 'any']);
    for (const c of s.commands) expect(c.options.at(-1)?.flags, c.name).toEqual(['-h', '--help']);
  });

  it('the command prints the script on stdout only; an unknown shell is a usage error', async () => {
    const t = await testApp();
    await completionCommand.run(t.app, { shell: 'bash' }, {});
    expect(t.stdout()).toContain('complete -F _rgsd rgsd');
    expect(t.stdout()).toContain('reset-home');
    expect(t.stderr()).toBe('');
    const z = await testApp();
    await completionCommand.run(z.app, { shell: 'zsh' }, {});
    expect(z.stdout().split('\n')[0]).toBe('#compdef rgsd');
    const t2 = await testApp();
    await expect(completionCommand.run(t2.app, { shell: 'fish' }, {})).rejects.toMatchObject({ exitCode: 2 });
  });
});
