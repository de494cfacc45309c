// `npm run judge` as a user runs it, for the Node tests: its stdout, stderr and exit status.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const judgeScript = join(root, 'scripts/judge.mjs');

export function judge(args, input) {
  const r = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', judgeScript, ...args], {
    cwd: root,
    encoding: 'utf8',
    input,
    maxBuffer: 1 << 26,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
