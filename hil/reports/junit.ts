// JUnit XML for CI systems (Jenkins, GitLab, GitHub test reporters): one <testsuite> per scenario, one
// <testcase> per scenario and patient. A case that missed criteria has one <failure> whose message names
// the criteria and whose body lists them with an excerpt of the run's log; a run that crashed has an
// <error> with its message and log, so the other cases still report. The shape is the one
// hil/reports/junit.xsd describes (the Jenkins/Ant JUnit format those tools read). No wall clock here: the
// timestamp is given.

export interface CriterionMiss {
  /** The criterion's name (settling-time, overshoot, lease-safe-state...). */
  criterion: string;
  /** What was measured against what was allowed, in words. */
  detail: string;
}

export interface JunitCase {
  /** The scenario. */
  scenario: string;
  /** The patient (or the run's name when a scenario has one patient). */
  patient: string;
  timeS: number;
  failures?: CriterionMiss[];
  /** The run crashed: its message. */
  error?: string;
  skipped?: string;
  /** The run's log (the end of it is kept). */
  log?: string;
}

export interface JunitOptions {
  /** ISO 8601, e.g. the run's start. */
  timestamp: string;
  name?: string;
  /** Lines of the log kept in an excerpt (the last ones). */
  logLines?: number;
}

// XML 1.0 forbids most control characters even in CDATA: ANSI colours and stray bytes from a serial
// line are dropped (tab, newline and carriage return stay).
// eslint-disable-next-line no-control-regex
const INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

const clean = (s: string) => s.replace(ANSI, '').replace(INVALID, '');
const attr = (s: string) => clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
const text = (s: string) => clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const seconds = (s: number) => (Number.isFinite(s) && s > 0 ? s.toFixed(3) : '0');

/** The last n lines of a log, saying how many were left out. */
export function logExcerpt(log: string, n: number): string {
  const lines = log.replace(/\n+$/, '').split('\n');
  return lines.length <= n ? lines.join('\n') : [`... ${lines.length - n} earlier lines left out`, ...lines.slice(-n)].join('\n');
}

function testcase(c: JunitCase, logLines: number): string {
  const head = `    <testcase classname="${attr(c.scenario)}" name="${attr(c.patient)}" time="${seconds(c.timeS)}"`;
  const log = c.log ? logExcerpt(c.log, logLines) : '';
  const body: string[] = [];
  if (c.error !== undefined) {
    body.push(`      <error message="${attr(c.error)}" type="crash">${text(log)}</error>`);
  } else if (c.failures && c.failures.length > 0) {
    const message = c.failures.map((f) => `${f.criterion}: ${f.detail}`).join('; ');
    const detail = [...c.failures.map((f) => `${f.criterion}: ${f.detail}`), ...(log ? ['', 'log:', log] : [])].join('\n');
    body.push(`      <failure message="${attr(message)}" type="${attr(c.failures[0].criterion)}">${text(detail)}</failure>`);
  } else if (c.skipped !== undefined) {
    body.push(`      <skipped message="${attr(c.skipped)}"/>`);
  }
  if (log && c.error === undefined && !(c.failures && c.failures.length)) body.push(`      <system-out>${text(log)}</system-out>`);
  return body.length ? `${head}>\n${body.join('\n')}\n    </testcase>` : `${head}/>`;
}

const count = (cs: JunitCase[]) => ({
  tests: cs.length,
  failures: cs.filter((c) => c.error === undefined && c.failures && c.failures.length > 0).length,
  errors: cs.filter((c) => c.error !== undefined).length,
  skipped: cs.filter((c) => c.error === undefined && !(c.failures && c.failures.length) && c.skipped !== undefined).length,
  time: cs.reduce((t, c) => t + (c.timeS > 0 ? c.timeS : 0), 0),
});

const totals = (n: ReturnType<typeof count>) =>
  `tests="${n.tests}" failures="${n.failures}" errors="${n.errors}" skipped="${n.skipped}" time="${seconds(n.time)}"`;

/** The whole report, suites in the order their scenarios first appear. */
export function junitXml(cases: JunitCase[], o: JunitOptions): string {
  const scenarios = [...new Set(cases.map((c) => c.scenario))];
  const suites = scenarios.map((s, id) => {
    const cs = cases.filter((c) => c.scenario === s);
    return [
      `  <testsuite name="${attr(s)}" id="${id}" ${totals(count(cs))} timestamp="${attr(o.timestamp)}">`,
      ...cs.map((c) => testcase(c, o.logLines ?? 40)),
      '  </testsuite>',
    ].join('\n');
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${attr(o.name ?? 'homeostat')}" ${totals(count(cases))}>`, ...suites, '</testsuites>', ''].join('\n');
}
