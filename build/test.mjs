// `npm test`: lint, typecheck, unit, build, integration in the lab, end-to-end in Chromium, benchmarks.
// Ends with one plain line `test: N passed, N failed` summing every runner's counts.
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync, rmSync } from 'node:fs';

const reports = 'test-results';
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

let passed = 0;
let failed = 0;
const failedSteps = [];

const step = (name, command, args, env = {}) => {
  const started = Date.now();
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  console.log(`=== ${name}: ${ok ? 'ok' : `FAILED (exit ${result.status ?? result.signal})`} in ${seconds} s`);
  if (!ok) failedSteps.push(name);
  return ok;
};

const countVitest = (file) => {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += (report.numFailedTests ?? 0) + (report.numTodoTests ?? 0);
  } catch {
    failed += 1;
  }
};

const countPlaywright = (file) => {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.stats?.expected ?? 0;
    failed += (report.stats?.unexpected ?? 0) + (report.stats?.flaky ?? 0);
  } catch {
    failed += 1;
  }
};

const vitest = (project) => {
  const file = `${reports}/vitest-${project}.json`;
  step(`${project} tests`, 'npx', ['vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${file}`]);
  countVitest(file);
};

const only = process.env.HYPERDESK_TEST_ONLY?.split(',');
const wanted = (name) => !only || only.includes(name);

if (wanted('lint') && !step('lint', 'npx', ['eslint', '--max-warnings', '0', '.'])) failed += 1;
if (wanted('typecheck') && !step('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'])) failed += 1;
if (wanted('unit')) vitest('unit');
const built = step('build', 'node', ['build/build.mjs']);
if (!built) failed += 1;
if (built && wanted('integration')) vitest('integration');
if (built && wanted('e2e')) {
  step('end-to-end', 'npx', ['playwright', 'test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: `${reports}/playwright.json` });
  countPlaywright(`${reports}/playwright.json`);
}
if (built && wanted('bench') && !step('benchmarks', 'npx', ['tsx', 'test/bench/run.ts', '--quick'])) failed += 1;

if (failedSteps.length > 0) console.log(`\nfailed steps: ${failedSteps.join(', ')}`);
console.log(`\ntest: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && failedSteps.length === 0 ? 0 : 1);
