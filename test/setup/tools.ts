// Puts the real helm (4), helm3, helm4 and kubectl unpacked by scripts/install-tools.mjs
// first on PATH for every suite. Suites that need a specific Helm major use `helm3`/`helm4`.
import { existsSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';

export const TOOLS_BIN = resolve(import.meta.dirname, '..', '..', '.tools', 'bin');
if (!existsSync(resolve(TOOLS_BIN, 'helm'))) {
  throw new Error(`real helm/kubectl missing in ${TOOLS_BIN}: run \`npm run setup\` first`);
}
if (!(process.env.PATH ?? '').split(delimiter).includes(TOOLS_BIN)) {
  process.env.PATH = `${TOOLS_BIN}${delimiter}${process.env.PATH ?? ''}`;
}
