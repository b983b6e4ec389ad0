import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECKLIST, loadHilScenario, parseHilScenario, splitFaults } from './hil-scenario.ts';

const suiteDir = new URL('./suite/', import.meta.url).pathname;
const shipped = readdirSync(suiteDir).filter((f) => f.endsWith('.hil.json'));

const yaml = `name: flush-test
hazard: a flush read as pressure gives a bolus
checklist: invalid-measurement
mitigation: host/safety/infusion-supervisor.ts gates artifacts
patients: { cohort: ../../sim/cohorts/corners.cohort.json, ids: [corners-nominal] }
durationMin: 10
targetMmHg: 85
heartRateBpm: 75
pulsePressureMmHg: 40
sensorNoiseMmHg: 1
beatNoiseMmHg: 3
faults:
  - { kind: flush, atMin: 5, durationS: 10, pressureMmHg: 300 }
  - { kind: occlusion, atMin: 6, durationS: 30 }
`;

describe('HIL scenario files', () => {
  it('reads YAML with defaults: both nodes, the pico board, the invariants on', () => {
    const s = parseHilScenario(yaml, 'flush.hil.yaml');
    expect(s.nodes).toEqual(['bp-sensor', 'infusion-pump']);
    expect(s.board).toBe('pico');
    expect(s.criteria.noActuationOnExpiredLease).toBe(true);
    expect(s.criteria.mapUnderFloorFromDrugMaxS).toBe(0);
    const { line, scheduled } = splitFaults(s.faults);
    expect(line.map((f) => f.kind)).toEqual(['flush']);
    expect(scheduled.map((f) => f.kind)).toEqual(['occlusion']);
  });

  it('names the file, line, column and field of a bad value, an unknown key and a bad fault', () => {
    expect(() => parseHilScenario(yaml.replace('targetMmHg: 85', 'targetMmHg: 400'), 'a.hil.yaml')).toThrow(/^a\.hil\.yaml:7:13: targetMmHg: /);
    expect(() => parseHilScenario(yaml.replace('durationMin: 10', 'durationMin: 10\ncolour: red'), 'b.hil.yaml')).toThrow(/^b\.hil\.yaml:7:1: .*colour/);
    expect(() => parseHilScenario(yaml.replace('durationS: 30', 'durationS: -3'), 'c.hil.yaml')).toThrow(/^c\.hil\.yaml:14:\d+: faults\.1\.durationS: /);
    expect(() => parseHilScenario(yaml.replace('kind: occlusion', 'kind: meteor'), 'd.hil.yaml')).toThrow(/^d\.hil\.yaml:14:\d+: faults\.1\.kind: /);
    expect(() => parseHilScenario(yaml.replace('checklist: invalid-measurement', 'checklist: vibes'), 'e.hil.yaml')).toThrow(/^e\.hil\.yaml:3:12: checklist: /);
    expect(() => parseHilScenario('name: [unclosed', 'f.hil.yaml')).toThrow(/^f\.hil\.yaml:1:\d+: not valid YAML or JSON/);
  });

  it('reads JSON with its line numbers too', () => {
    const json = JSON.stringify(parseHilScenario(yaml, 'x'), null, 2).replace('"durationMin": 10', '"durationMin": 0');
    expect(() => parseHilScenario(json, 'g.hil.json')).toThrow(/^g\.hil\.json:\d+:\d+: durationMin: /);
  });

  it('ships at least 20 valid scenarios that name their hazard and cover every checklist item', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(20);
    const items = new Set<string>();
    const names = new Set<string>();
    for (const f of shipped) {
      const s = loadHilScenario(suiteDir + f);
      expect(f).toBe(`${s.name}.hil.json`);
      expect(JSON.parse(readFileSync(suiteDir + f, 'utf8')).$schema).toBe('../../../docs/schemas/hil.schema.json');
      expect(s.hazard.length).toBeGreaterThan(20);
      items.add(s.checklist);
      names.add(s.name);
    }
    expect([...items].sort()).toEqual(Object.keys(CHECKLIST).sort());
    expect(names.size).toBe(shipped.length);
  });

  it('includes the combined scenario: flush, 90 s occlusion, a link cut past the lease, host killed and restarted', () => {
    const s = loadHilScenario(suiteDir + 'combined-after-settling.hil.json');
    expect(s.faults.map((f) => f.kind)).toEqual(['flush', 'occlusion', 'disconnect', 'host-kill']);
    const cut = s.faults[2] as { durationS: number };
    expect(cut.durationS * 1000).toBeGreaterThan(15_000);
    expect((s.faults[1] as { durationS: number }).durationS).toBe(90);
  });
});
