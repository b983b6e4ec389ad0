import { planSuite } from './hil/runner/suite-plan.ts';
import { runJobs } from './hil/runner/suite-run.ts';
const { jobs } = planSuite(['/tmp/hr/two']);
console.log('jobs', jobs.length);
const r = await runJobs(jobs, { level: 'sil', workers: 2, recordDir: null, onProgress: (d, t, run, last) => console.log(d, t, run, last?.passed, last?.error) });
console.log(r.map((x) => x.passed));
