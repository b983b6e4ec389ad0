// A worker thread that runs patients for a cohort run: each message is one patient; the answer is its
// PatientRun (or the error that stopped it before its run began).
import { parentPort } from 'node:worker_threads';
import type { VirtualPatient } from '../sim/cohorts/cohort.ts';
import type { BpRunSetup } from './bp-run.ts';
import { runPatient } from './bp-run.ts';

parentPort!.on('message', (m: { setup: BpRunSetup; patient: VirtualPatient }) => {
  runPatient(m.setup, m.patient, (share) => parentPort!.postMessage({ progress: share })).then(
    (run) => parentPort!.postMessage({ run }),
    (e: Error) => parentPort!.postMessage({ error: `${m.patient.id}: ${e.message}` }),
  );
});
