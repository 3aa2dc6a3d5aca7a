// The one version of rgsd: package.json's. The chart's version and appVersion and the image's
// org.opencontainers.image.version label repeat it (test/chart/version.test.ts, test/image).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

export const PACKAGE_VERSION: string = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The workstation image scripts/build-image tags by default. */
export const DEFAULT_IMAGE = `rgsd/workstation:${PACKAGE_VERSION}`;

/** The end-to-end suite's image: the minimal image plus the fake agents (scripts/build-image
 * --fake-agents), so `claude`, `codex` and `gsd` in the pod are test/fixtures/fake-agent. */
export const E2E_IMAGE = `rgsd/workstation:${PACKAGE_VERSION}-e2e`;
