// The JUnit report: validated against the JUnit shape CI tools read (hil/reports/junit.xsd) by libxml2's
// schema validator (xmllint, compiled to WebAssembly), with counts, messages and logs where the tools look.
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { describe, expect, it } from 'vitest';
import { junitXml, logExcerpt } from './junit.ts';
import type { JunitCase } from './junit.ts';

const xsd = readFileSync(new URL('./junit.xsd', import.meta.url), 'utf8');

async function validate(xml: string) {
  const r = await validateXML({ xml: [{ fileName: 'report.xml', contents: xml }], schema: [{ fileName: 'junit.xsd', contents: xsd }] });
  return { valid: r.valid, errors: r.errors.map((e) => e.message) };
}

const nastyLog = Array.from({ length: 60 }, (_, i) => `t=${i} s MAP 71 mmHg`).join('\n') +
  '\n\u001b[31mALARM\u001b[0m occlusion <pump> & "line" ]]> raw byte \u0000\u0007 from the serial line\n';

const cases: JunitCase[] = [
  { scenario: 'nominal', patient: 'patient-1', timeS: 12.25, log: 'settled at 6.5 min\n' },
  {
    scenario: 'nominal', patient: 'patient-2', timeS: 13,
    failures: [
      { criterion: 'overshoot', detail: 'overshoot 14.2 mmHg (at most 10)' },
      { criterion: 'settling-time', detail: 'settled after 21.0 min (at most 20)' },
    ],
    log: nastyLog,
  },
  { scenario: 'host-loss', patient: 'patient-1', timeS: 3, error: 'TypeError: cannot read "rate" of undefined', log: 'started\nstack:\n  at loop (loop.ts:12)\n' },
  { scenario: 'host-loss', patient: 'patient-2', timeS: 0, skipped: 'HIL bench absent (set HOMEOSTAT_RIG)' },
];

describe('JUnit report', () => {
  it('is valid against the JUnit schema, with counts per suite and in all', async () => {
    const xml = junitXml(cases, { timestamp: '2026-11-29T07:00:00Z' });
    expect(await validate(xml)).toEqual({ valid: true, errors: [] });
    expect(xml).toContain('<testsuites name="homeostat" tests="4" failures="1" errors="1" skipped="1" time="28.250">');
    expect(xml).toContain('<testsuite name="nominal" id="0" tests="2" failures="1" errors="0" skipped="0" time="25.250" timestamp="2026-11-29T07:00:00Z">');
    expect(xml).toContain('<testsuite name="host-loss" id="1" tests="2" failures="0" errors="1" skipped="1"');
  });

  it('a failed case names its criteria in the message and carries them with the end of the log; a crash carries its log', () => {
    const xml = junitXml(cases, { timestamp: '2026-11-29T07:00:00Z', logLines: 5 });
    expect(xml).toContain('<failure message="overshoot: overshoot 14.2 mmHg (at most 10); settling-time: settled after 21.0 min (at most 20)" type="overshoot">');
    expect(xml).toContain('ALARM occlusion &lt;pump&gt; &amp; "line" ]]&gt; raw byte  from the serial line');
    expect(xml).toContain('... 56 earlier lines left out');
    expect(xml).not.toContain('t=3 s');
    expect(xml).toContain('<error message="TypeError: cannot read &quot;rate&quot; of undefined" type="crash">started\nstack:\n  at loop (loop.ts:12)</error>');
    expect(xml).toContain('<skipped message="HIL bench absent (set HOMEOSTAT_RIG)"/>');
    expect(xml).toContain('<system-out>settled at 6.5 min</system-out>');
  });

  it('the validator refuses what a CI reader would not take (so the first test can fail)', async () => {
    const broken = junitXml(cases, { timestamp: 'yesterday' });
    expect((await validate(broken)).valid).toBe(false);
    const raw = '<?xml version="1.0"?><testsuites tests="1" failures="0" errors="0"><testsuite name="x" tests="1" failures="0" errors="0"><testcase name="a" time="1">\u0001</testcase></testsuite></testsuites>';
    expect((await validate(raw)).valid).toBe(false);
  });

  it('keeps the last lines of a log and says how many it left out', () => {
    expect(logExcerpt('a\nb\nc\n', 5)).toBe('a\nb\nc');
    expect(logExcerpt('a\nb\nc\nd', 2)).toBe('... 2 earlier lines left out\nc\nd');
  });
});
