// Scenario files: validated with the file, field and allowed range named; profiles shaped as stated.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { disturbanceMmHg, lineArtifacts, loadScenario, scenarioSchema, sensitivityFactor } from './scenario.ts';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

describe('scenario files', () => {
  it('the shipped scenarios load', () => {
    for (const f of ['default.scenario.json', 'stress.scenario.json']) expect(loadScenario(here(f)).durationMin).toBeGreaterThan(0);
  });

  it('a bad value is refused with the file, the field and the allowed range', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    const file = join(dir, 'bad.scenario.json');
    const raw = JSON.parse(JSON.stringify(loadScenario(here('default.scenario.json'))));
    raw.artifacts[0].pressureMmHg = 3000;
    writeFileSync(file, JSON.stringify(raw));
    expect(() => loadScenario(file)).toThrow(/bad\.scenario\.json.*artifacts\.0\.pressureMmHg.*400/s);
    raw.artifacts = [];
    raw.sensitivity = [{ kind: 'drift', fromMin: 10, toMin: 5, factor: 2 }];
    writeFileSync(file, JSON.stringify(raw));
    expect(() => loadScenario(file)).toThrow(/sensitivity\.0.*toMin must come after fromMin/s);
  });

  it('profiles: a ramped stimulation episode, bleeding to its limit, a posture step; sensitivity steps and drifts', () => {
    const s = scenarioSchema.parse({
      name: 't', durationMin: 60, targetMmHg: 85, heartRateBpm: 70, pulsePressureMmHg: 40, sensorNoiseMmHg: 0, beatNoiseMmHg: 0,
      disturbances: [
        { kind: 'stimulation', startMin: 10, durationMin: 10, riseMmHg: 12, rampMin: 2 },
        { kind: 'bleeding', startMin: 30, dropMmHgPerMin: 2, maxDropMmHg: 6 },
        { kind: 'posture', atMin: 50, stepMmHg: -5 },
      ],
      sensitivity: [{ kind: 'step', atMin: 20, factor: 2 }, { kind: 'drift', fromMin: 40, toMin: 50, factor: 0.25 }],
      artifacts: [{ kind: 'flush', atMin: 1, durationS: 10, pressureMmHg: 300 }],
    });
    expect(disturbanceMmHg(s, 9 * 60)).toBe(0);
    expect(disturbanceMmHg(s, 11 * 60)).toBeCloseTo(6, 9);
    expect(disturbanceMmHg(s, 15 * 60)).toBeCloseTo(12, 9);
    expect(disturbanceMmHg(s, 19 * 60)).toBeCloseTo(6, 9);
    expect(disturbanceMmHg(s, 31 * 60)).toBeCloseTo(-2, 9);
    expect(disturbanceMmHg(s, 45 * 60)).toBeCloseTo(-6, 9);
    expect(disturbanceMmHg(s, 51 * 60)).toBeCloseTo(-11, 9);
    expect(sensitivityFactor(s, 19 * 60)).toBe(1);
    expect(sensitivityFactor(s, 21 * 60)).toBe(2);
    expect(sensitivityFactor(s, 45 * 60)).toBeCloseTo(2 * 0.5, 9);
    expect(sensitivityFactor(s, 55 * 60)).toBeCloseTo(2 * 0.25, 9);
    expect(lineArtifacts(s)).toEqual([{ kind: 'flush', startS: 60, durationS: 10, pressureMmHg: 300 }]);
  });
});
