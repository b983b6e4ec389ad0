// Drug files: the shipped ones load with their sources, the supervisor takes its drug's facts from them, and
// a drug file that contradicts itself or its name is refused with what to change.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSupervisorFile } from '../../../safety/infusion-supervisor.ts';
import { DRUGS_DIR, lapseRateMlPerH, loadDrugFile } from './drug-file.ts';

const repo = (p: string) => new URL(`../../../../${p}`, import.meta.url).pathname;
const shipped = (name: string) => JSON.parse(readFileSync(join(DRUGS_DIR, `${name}.drug.json`), 'utf8'));

describe('drug files', () => {
  it('nitroprusside stops on host loss; norepinephrine holds its last rate, capped', () => {
    const snp = loadDrugFile('nitroprusside');
    const ne = loadDrugFile('norepinephrine');
    expect(snp).toMatchObject({ effect: 'lowers', concentrationUgPerMl: 200, onHostLoss: { kind: 'stop' } });
    expect(ne).toMatchObject({ effect: 'raises', concentrationUgPerMl: 16, onHostLoss: { kind: 'hold-rate', maxMlPerH: 120 } });
    expect(lapseRateMlPerH(snp.onHostLoss, 80)).toBe(0);
    expect(lapseRateMlPerH(ne.onHostLoss, 80)).toBe(80);
    expect(lapseRateMlPerH(ne.onHostLoss, 300)).toBe(120);
    expect(lapseRateMlPerH({ kind: 'hold-rate' }, 300)).toBe(300);
  });

  it('a supervisor file names its drug and gets its facts from the drug file, not its own', () => {
    const ne = loadSupervisorFile(repo('host/safety/norepinephrine.supervisor.json'));
    expect(ne).toMatchObject({ drug: 'norepinephrine', drugEffect: 'raises', concentrationUgPerMl: 16, maxDoseUgPerKgPerMin: 1, maxMinutesAtCeiling: 60, afterCeilingTime: 'hold', onHostLoss: { kind: 'hold-rate', maxMlPerH: 120 } });
    const snp = loadSupervisorFile(repo('host/safety/nitroprusside.supervisor.json'));
    expect(snp).toMatchObject({ drug: 'nitroprusside', drugEffect: 'lowers', concentrationUgPerMl: 200, afterCeilingTime: 'stop', onHostLoss: { kind: 'stop' } });
    const dir = mkdtempSync(join(tmpdir(), 'drug-'));
    const repeated = join(dir, 'repeated.supervisor.json');
    writeFileSync(repeated, JSON.stringify({ ...JSON.parse(readFileSync(repo('host/safety/nitroprusside.supervisor.json'), 'utf8')), concentrationUgPerMl: 200 }));
    expect(() => loadSupervisorFile(repeated)).toThrow(/repeated\.supervisor\.json: .*concentrationUgPerMl/);
    const unknown = join(dir, 'unknown.supervisor.json');
    writeFileSync(unknown, JSON.stringify({ ...JSON.parse(readFileSync(repo('host/safety/nitroprusside.supervisor.json'), 'utf8')), drug: 'labetalol' }));
    expect(() => loadSupervisorFile(unknown)).toThrow(/unknown\.supervisor\.json: no drug 'labetalol' .*name a shipped one \(nitroprusside, norepinephrine\)/);
  });

  it('refuses a vasodilator that holds its rate without a host, and a name that is not the file\'s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drug-'));
    writeFileSync(join(dir, 'nitroprusside.drug.json'), JSON.stringify({ ...shipped('nitroprusside'), onHostLoss: { kind: 'hold-rate' } }));
    expect(() => loadDrugFile(join(dir, 'nitroprusside.drug.json'))).toThrow(/onHostLoss: a drug that lowers the pressure stops when the host is lost/);
    writeFileSync(join(dir, 'other.drug.json'), JSON.stringify(shipped('norepinephrine')));
    expect(() => loadDrugFile('./other.drug.json', join(dir, 'x.supervisor.json'))).toThrow(/name is 'norepinephrine' but the file is other\.drug\.json/);
    writeFileSync(join(dir, 'nosource.drug.json'), JSON.stringify({ ...shipped('norepinephrine'), name: 'nosource', sources: { ...shipped('norepinephrine').sources, onHostLoss: '' } }));
    expect(() => loadDrugFile(join(dir, 'nosource.drug.json'))).toThrow(/sources\.onHostLoss: say where the value comes from/);
  });
});
