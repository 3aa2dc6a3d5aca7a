// Writes a project's settings and secrets files into a config dir for tests.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SECRET_TOKEN = 'ghp_FAKE-0123456789abcdef-SECRET';
export const SECRET_KEY = 'sk-ant-FAKE_9876543210_SECRET';
export const DEFAULT_ENV = `# test secrets\nGITHUB_TOKEN=${SECRET_TOKEN}\nANTHROPIC_API_KEY="${SECRET_KEY}"\nOPENAI_API_KEY=\n`;

export function writeProject(
  configDir: string,
  project: string,
  opts: { settings?: string; env?: string; envMode?: number; files?: Record<string, string> } = {},
): { settingsFile: string; secretsFile: string } {
  mkdirSync(join(configDir, 'projects'), { recursive: true });
  mkdirSync(join(configDir, 'secrets'), { recursive: true, mode: 0o700 });
  const settingsFile = join(configDir, 'projects', `${project}.yaml`);
  const secretsFile = join(configDir, 'secrets', `${project}.env`);
  writeFileSync(settingsFile, opts.settings ?? 'repo: https://github.com/org/repo.git\nagent: gsd\n');
  writeFileSync(secretsFile, opts.env ?? DEFAULT_ENV, { mode: 0o600 });
  chmodSync(secretsFile, opts.envMode ?? 0o600);
  for (const [name, content] of Object.entries(opts.files ?? {}))
    writeFileSync(join(configDir, 'projects', name), content, { mode: 0o600 });
  return { settingsFile, secretsFile };
}
