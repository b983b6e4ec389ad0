// The HIL binding on the fake patient bench, driven by hand: a pump command with a short lease, then its
// lapse. The drive the safety invariants are judged on is what the emulator counted from the pump's step
// pulses (the rate while the lease runs, nothing once it has lapsed), and the drug the patient model
// received is that count.
import { describe, expect, it } from 'vitest';
import { connectDevices } from '../../host/app/connect-devices.ts';
import { MsgId, writePumpSetRate } from '../../protocols/generated/wire-codec.ts';
import { loadHilScenario } from '../scenarios/hil-scenario.ts';
import { scenarioPatients } from '../runner/suite-plan.ts';
import { openHilBench } from './hil-bench-time.ts';
import { hilBpSession } from './hil-bp.ts';

const rigFile = new URL('./benches/patient-bench.rig.yaml', import.meta.url).pathname;
const scenarioFile = new URL('../scenarios/suite/nominal-step.hil.json', import.meta.url).pathname;

describe('the HIL binding of the blood-pressure loop', () => {
  it('counts the pump\'s drive outside it: the rate while its lease runs, nothing after it lapses; the model gets the counted drug', async () => {
    const s = loadHilScenario(scenarioFile);
    const { cohort, patients } = scenarioPatients(s);
    const bench = await openHilBench({ rigFile, kind: 'fake' });
    const session = await hilBpSession({ scenario: s, patient: patients[0], model: cohort.file.model, concentrationUgPerMl: 200, seed: 1, board: 'pico', patientStepS: 0.5 }, bench);
    try {
      const pumpSpec = session.nodes.find((n) => n.role === 'infusion-pump')!;
      const { 'infusion-pump': pump } = await connectDevices(session.clock, [pumpSpec], { wait: session.wait });
      let answer = -1;
      const sentMs = session.clock.now();
      pump.link.session.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 36, leaseMs: 10_000 }, (r) => (answer = r));
      await session.run(9000);
      expect(answer).toBe(0);
      const during = session.drive.filter(([tMs]) => tMs > sentMs + 2000 && tMs < sentMs + 9000).map(([, rate]) => rate);
      expect(during.length).toBeGreaterThan(20);
      for (const rate of during) expect(rate).toBeCloseTo(36, -0.5);
      await session.run(8000);
      // The lease (10 s) has lapsed: the pump runs its safe rate (0 on the Pico's board file), and the count says so.
      const after = session.drive.filter(([tMs]) => tMs > sentMs + 10_000 + 1500).map(([, rate]) => rate);
      expect(after.length).toBeGreaterThan(10);
      expect(Math.max(...after)).toBe(0);
      const { receivedMl, countedMl } = session.counts();
      expect(countedMl).toBeCloseTo((36 * 10) / 3600, 2);
      expect(receivedMl).toBe(countedMl);
      pump.link.close();
    } finally {
      session.close();
    }
  }, 60_000);
});
