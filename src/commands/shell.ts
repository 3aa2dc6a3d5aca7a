// `rgsd shell [project]` — an interactive login shell in the workspace of the workstation
// container (src/ops/exec.ts): `kubectl exec -it … -- sh -c <cd to the workspace; exec the
// login shell>`; the shell's exit status becomes rgsd's.
import { defineCommand, dryRunOption, projectArg } from '../cli/spec.js';
import { UsageError } from '../core/errors.js';
import { untty } from './connect.js';

export default defineCommand(
  {
    name: 'shell',
    summary: 'an interactive login shell in the workspace of the workstation container',
    description:
      'One call: kubectl exec -it deployment/<fullname> -c workstation, a login shell ($RGSD_LOGIN_SHELL, else zsh, else ' +
      'bash) in the workspace ($RGSD_WORKSPACE; the home when it does not exist). Outside tmux: it ends when you leave ' +
      'it or the connection drops (`rgsd connect` keeps a session). Needs stdin and stdout on a terminal; ' +
      '`rgsd exec` runs single commands anywhere.',
    args: [projectArg()],
    options: [dryRunOption('print the kubectl command; run nothing')],
    examples: ['rgsd shell myproj', 'rgsd shell --context prod myproj'],
  },
  async (app, { project }) => {
    if (!app.attachable && !app.globals.dryRun) {
      const name = project ?? '<project>';
      throw new UsageError(`rgsd shell needs a terminal, but ${untty()} not a terminal`, {
        hint: `run it from an interactive terminal (ssh -t for remote shells); without one: rgsd exec ${name} -- <command…>`,
      });
    }
    const { openProject } = await import('../cli/open.js');
    const ops = await import('../ops/exec.js');
    const { project: p, names, target } = await openProject(app, project, { command: 'shell', requireSettings: false });
    await ops.passExit(app, target, p, names, await ops.runExec(app, target, names, ops.shellRequest(app.env.TERM || undefined)));
  },
);
