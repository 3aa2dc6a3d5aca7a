// `rgsd connect [project] [session]` — attach to the workstation's tmux session.
import type { App } from '../core/app.js';
import { connect, type ConnectOptions } from '../ops/connect.js';

export async function run(app: App, project: string | undefined, session: string | undefined, opts: ConnectOptions): Promise<void> {
  await connect(app, project, session, opts);
}
