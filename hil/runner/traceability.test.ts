import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECKLIST } from '../scenarios/hil-scenario.ts';
import type { CaseResult } from './case-run.ts';
import { planSuite } from './suite-plan.ts';
import { traceabilityMarkdown } from './traceability.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const { scenarios } = planSuite([repo('hil/scenarios/suite')]);

describe('traceability table', () => {
  it('has a row per shipped scenario under its checklist item, with the last result', () => {
    const c = (scenario: string, passed: boolean): CaseResult => ({
      index: 0, file: '', scenario, patient: 'p1', hazard: '', checklist: '', level: 'sil', wallS: 1, simulatedS: 60, passed,
      criteria: passed ? [] : [{ criterion: 'overshoot', held: false, detail: '12.0 mmHg (at most 10)' }], log: '',
    });
    const md = traceabilityMarkdown(scenarios, { format: 1, startedAt: 'T', level: 'sil', shard: { k: 1, n: 1 }, suiteJobs: 2, wallS: 1, workers: 1, cases: [c('nominal-step', true), c('bleeding', false)] }, 'suite');
    for (const s of scenarios) expect(md).toContain(`| \`${s.name}\` |`);
    expect(md).toMatch(/`nominal-step` \| passed \(1 patient\) \|/);
    expect(md).toMatch(/`bleeding` \| \*\*failed\*\* 1 of 1: p1: overshoot: 12\.0 mmHg \(at most 10\) \|/);
    expect(md).toMatch(/`flush-artifact` \| not run \|/);
    expect(md).not.toContain('**no scenario**');
  });

  it('names mitigations that exist in the code, and the shipped table is current with the suite', () => {
    for (const s of scenarios) {
      const paths = s.mitigation.match(/\b(host|firmware|hil|protocols)\/[\w./-]*\w/g) ?? [];
      expect(paths.length, `${s.name}: its mitigation names no code`).toBeGreaterThan(0);
      for (const p of paths) expect(existsSync(repo(p)), `${s.name}: ${p}`).toBe(true);
    }
    const shipped = readFileSync(repo('docs/traceability.md'), 'utf8');
    for (const s of scenarios) expect(shipped, `docs/traceability.md lacks ${s.name}: run homeostat hil trace`).toContain(`| \`${s.name}\` |`);
    for (const item of Object.values(CHECKLIST)) expect(shipped).toContain(`| ${item} |`);
  });
});
