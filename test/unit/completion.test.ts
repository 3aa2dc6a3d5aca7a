import { Argument, Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { bashScript, specFromProgram, zshScript } from '../../src/ops/completion.js';
import { run } from '../../src/commands/completion.js';
import { testApp } from '../helpers/test-app.js';

function program(): Command {
  const p = new Command('rgsd').version('1.0.0', '--version', 'print the version').option('--context <name>', 'kube context').option('-y, --yes', 'yes');
  p.command('nuke').description('destroy: all [of it]').argument('[project]', 'p').option('--confirm <project>', "confirm: the project's name").addOption(new Option('--secret-x').hideHelp());
  p.command('init').argument('<project>', 'new name').addOption(new Option('--agent <a>', 'agent').choices(['gsd', 'none']));
  p.command('completion').addArgument(new Argument('<shell>').choices(['bash', 'zsh']));
  return p;
}

describe('completion spec from the commander tree', () => {
  it('commands, flags (hidden ones left out), value kinds and choices', () => {
    const spec = specFromProgram(program());
    expect(spec.commands.map((c) => c.name)).toEqual(['nuke', 'init', 'completion']);
    expect(spec.globalOptions.map((o) => [o.flags, o.value])).toEqual([
      [['--version'], 'none'],
      [['--context'], 'context'],
      [['-y', '--yes'], 'none'],
      [['-h', '--help'], 'none'],
    ]);
    const nuke = spec.commands[0];
    expect(nuke?.options.map((o) => o.flags[0])).toEqual(['--confirm', '-h']);
    expect(nuke?.options[0]?.value).toBe('project');
    expect(nuke?.args).toEqual([{ name: 'project', required: false, value: 'project', choices: [] }]);
    expect(spec.commands[1]?.args[0]?.value).toBe('any'); // init takes a new name
    expect(spec.commands[1]?.options[0]).toMatchObject({ value: 'choices', choices: ['gsd', 'none'] });
    expect(spec.commands[2]?.args[0]).toMatchObject({ required: true, value: 'choices', choices: ['bash', 'zsh'] });
  });

  it('zsh specs escape what _arguments/_describe treat specially', () => {
    const z = zshScript(specFromProgram(program()));
    expect(z).toContain("'nuke:destroy\\: all of it'");
    expect(z).toContain("'--confirm[confirm\\: the project’s name]:confirm:_rgsd_projects'");
    expect(z).toContain("'1::project:_rgsd_projects'");
    expect(z).toContain("'1:shell:(bash zsh)'");
    expect(z.split('\n')[0]).toBe('#compdef rgsd');
  });

  it('bash: value-taking options are skipped when finding the command', () => {
    const b = bashScript(specFromProgram(program()));
    expect(b).toContain('    --context) return 0 ;;');
    expect(b).toContain('    "nuke --confirm") return 0 ;;');
    expect(b).toContain('complete -F _rgsd rgsd');
  });

  it('the command prints the script for the program it is given; stdout only', async () => {
    const t = await testApp();
    await run(t.app, 'bash', {}, program());
    expect(t.stdout()).toContain('complete -F _rgsd rgsd');
    expect(t.stderr()).toBe('');
    const t2 = await testApp();
    await expect(run(t2.app, 'fish', {}, program())).rejects.toMatchObject({ exitCode: 2 });
  });
});
