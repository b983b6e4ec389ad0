import { describe, expect, it } from 'vitest';
import type { Job } from './suite-plan.ts';
import { parseShard, planSuite, shardFromEnv, shardJobs } from './suite-plan.ts';

const jobs: Job[] = Array.from({ length: 11 }, (_, index) => ({ index, file: `s${index}`, scenario: `s${index}`, patient: 'p' }));

describe('suite plan and shards', () => {
  it('shards split the jobs with none lost and none run twice', () => {
    for (const n of [1, 2, 3, 4, 11, 12]) {
      const parts = Array.from({ length: n }, (_, i) => shardJobs(jobs, { k: i + 1, n }).map((j) => j.index));
      expect(parts.flat().sort((a, b) => a - b)).toEqual(jobs.map((j) => j.index));
    }
  });

  it('takes the shard from --shard, HOMEOSTAT_SHARD or a Kubernetes Indexed Job', () => {
    expect(parseShard('2/4')).toEqual({ k: 2, n: 4 });
    expect(() => parseShard('5/4')).toThrow(/1 <= k <= n/);
    expect(() => parseShard('two')).toThrow(/k\/n/);
    expect(shardFromEnv({ HOMEOSTAT_SHARD: '3/5' })).toEqual({ k: 3, n: 5 });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '0', HOMEOSTAT_SHARDS: '4' })).toEqual({ k: 1, n: 4 });
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '2' })).toThrow(/HOMEOSTAT_SHARDS/);
    expect(shardFromEnv({})).toBeNull();
  });

  it('plans the shipped suite: one job per scenario and patient, in a stable order', () => {
    const a = planSuite([new URL('../scenarios/suite', import.meta.url).pathname]);
    expect(a.scenarios.length).toBeGreaterThanOrEqual(20);
    expect(a.jobs.length).toBeGreaterThan(a.scenarios.length);
    expect(a.jobs.map((j) => j.index)).toEqual(a.jobs.map((_, i) => i));
  });

  it('refuses a folder with no scenario files, and a path that is not there', () => {
    expect(() => planSuite([new URL('.', import.meta.url).pathname])).toThrow(/no scenario files/);
    expect(() => planSuite(['/nonexistent-suite'])).toThrow(/no such file or folder/);
  });
});
