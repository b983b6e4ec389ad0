// `homeostat export fhir <record>`: a record as a FHIR R4 Bundle (host/record/fhir-export.ts), written
// beside the record (or where --out says), with what went into it counted by resource type.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { recordToFhir } from '../../record/fhir-export.ts';
import { readRecord } from '../../record/record-file.ts';
import { sha256 } from '../../record/versions.ts';

export function exportFhir(path: string, o: { out?: string; startedAt?: string }, out: (line: string) => void): { outPath: string; counts: Record<string, number> } {
  const rec = readRecord(path);
  const { bundle, counts } = recordToFhir(rec, { recordName: basename(path), recordSha256: sha256(readFileSync(path, 'utf8')), startedAt: o.startedAt });
  const outPath = o.out ?? path.replace(/(\.record)?\.jsonl$/, '') + '.fhir.json';
  writeFileSync(outPath, JSON.stringify(bundle, null, 1) + '\n');
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  out(`${outPath}: a FHIR R4 Bundle of ${total} resources (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')})${rec.complete ? '' : '; the record ends without its end line (the run crashed or is still going)'}`);
  return { outPath, counts };
}

export function registerExport(program: Command): void {
  const exp = program.command('export').description('a record in another format');
  exp
    .command('fhir')
    .description('a record as an HL7 FHIR R4 Bundle: patient, devices with firmware versions, mean arterial pressure per period, infusion rates, alarms, provenance')
    .argument('<record>', 'a .record.jsonl file written by sim bp or run bp')
    .option('--out <file>', 'where the Bundle goes (default: beside the record, as <name>.fhir.json)')
    .option('--started-at <iso>', 'the run\'s wall-clock start, for a record written before records carried one (e.g. 2026-01-31T08:00:00Z)')
    .action((record: string, opts: { out?: string; startedAt?: string }) => {
      exportFhir(record, opts, (l) => console.log(l));
    });
}
