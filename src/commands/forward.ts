// `rgsd forward [project] <port>[:<remote>]… [--address A]` — kubectl port-forward to the
// workstation pod (src/ops/forward.ts), reconnecting when it drops, until Ctrl-C.
import { defineCommand } from '../cli/spec.js';
import { UsageError } from '../core/errors.js';

interface ForwardFlags {
  address?: string;
}

export default defineCommand<ForwardFlags>(
  {
    name: 'forward',
    summary: 'forward local ports to the workstation pod (kubectl port-forward), reconnecting when it drops',
    description:
      "kubectl port-forward pod/<the workstation's pod> <local>:<remote>…: prints the local URLs, and when the " +
      'forward ends (the pod restarted or was replaced, the connection dropped) finds the pod again and forwards ' +
      'again, with a growing pause (1s to 10s). "8080" forwards local 8080 to the pod\'s 8080, "8080:3000" local ' +
      '8080 to the pod\'s 3000, ":3000" a free local port to the pod\'s 3000 (kept across reconnects). The ' +
      'project comes first when more than one is configured. Ctrl-C stops it (exit 0). A sleeping project is ' +
      'refused with the way to wake it; a connection carried by the forward keeps idle sleep away.',
    args: [
      {
        name: 'ports',
        required: true,
        variadic: true,
        description: '[project] then <port> or <local>:<remote> (":3000": a free local port), one or more',
        complete: 'project',
      },
    ],
    options: [
      { flags: '--address <addresses>', description: 'local addresses to listen on, comma-separated (kubectl default: localhost)' },
    ],
    examples: [
      'rgsd forward 3000',
      'rgsd forward myproj 8080:3000 5173',
      'rgsd forward myproj :3000',
      'rgsd forward myproj 3000 --address 0.0.0.0',
    ],
  },
  async (app, { ports: words }, opts) => {
    const { isPortWord, parsePorts } = await import('../ops/forward.js');
    const all = (words ?? '').split(' ').filter(Boolean);
    const project = all[0] !== undefined && !isPortWord(all[0]) ? all[0] : undefined;
    const portWords = project === undefined ? all : all.slice(1);
    if (app.globals.json) throw new UsageError('forward prints lines, not one JSON document', { hint: 'drop --json' });
    if (opts.address !== undefined && !/^[\w.:,[\]-]+$/.test(opts.address)) {
      throw new UsageError(`--address "${opts.address}" is not a list of addresses`, {
        hint: 'e.g. --address 127.0.0.1 or --address localhost,10.0.0.5',
      });
    }
    // the ports are checked before anything else (no cluster call for a bad one)
    const ports = parsePorts(portWords, project ?? '<project>');
    const { openProject } = await import('../cli/open.js');
    const ops = await import('../ops/forward.js');
    const { project: p, names, target } = await openProject(app, project, { command: 'forward', requireSettings: false });
    app.progress.stopsOnInterrupt('stopped forwarding');
    const out = app.out;
    let shown = new Set<string>();
    const clock = (): string => app.now().toISOString().slice(11, 19);
    await ops.runForward(app, target, p, names, ports, {
      address: opts.address,
      now: () => app.now().getTime(),
      sleep: (ms) => new Promise((resolve) => setTimeout(() => resolve(true), ms)),
      onEvent: (e) => {
        if (e.kind === 'forwarding') {
          shown = new Set();
          if (e.reconnect) {
            out.success(`${clock()} forwarding again (pod ${e.pod})`);
            return;
          }
          for (const f of e.ports) out.data(`${url(f.address, f.local)} -> ${p}:${f.remote}`);
          out.info(`forwarding to pod ${e.pod}; Ctrl-C stops`);
        } else if (e.kind === 'connection-error') {
          if (!shown.has(e.text)) out.warn(e.text);
          shown.add(e.text);
        } else if (e.kind === 'lost') {
          out.warn(`${clock()} the forward to ${e.pod} ended (${e.reason}); again in ${Math.round(e.retryInMs / 1000)}s`);
        } else {
          out.info(`${clock()} waiting for a running pod of ${p} (${e.reason}); again in ${Math.round(e.retryInMs / 1000)}s`);
        }
      },
    });
  },
);

/** http://localhost:8080 for the loopback addresses kubectl listens on by default. */
function url(address: string, port: number): string {
  const host =
    address === '127.0.0.1' || address === '::1' || address === 'localhost'
      ? 'localhost'
      : address.includes(':')
        ? `[${address}]`
        : address;
  return `http://${host}:${port}`;
}
