import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedFiles, protocolsDir } from '../tools/generated-files.ts';
import type { MessageDef } from './catalogue-types.ts';
import { codeTables } from './codes.ts';
import type { ReleasedCatalogue } from './compatibility.ts';
import { compatibilityProblems, releaseSnapshot } from './compatibility.ts';
import { computeLayoutHash } from './layout.ts';
import { groups, messages, PROTOCOL_VERSION, PumpSetRate } from './messages.ts';
import { catalogueProblems } from './validate-catalogue.ts';
import { LAYOUT_HASH } from '../generated/wire-codec.ts';

describe('message catalogue', () => {
  it('passes its own consistency rules', () => {
    expect(catalogueProblems(messages, groups, codeTables)).toEqual([]);
  });

  it('names the message and field of each problem', () => {
    const bad: MessageDef[] = [
      ...messages,
      { ...PumpSetRate, name: 'PumpSetRate2' }, // id reused
      {
        id: 0x2a, name: 'PumpBolus', group: 'infusion-pump', kind: 'command', direction: 'host-to-node', doc: '',
        fields: [
          { name: 'volume', type: 'u16', unit: 'mL', scale: 0.001, min: 0, max: 100, doc: '' },
          { name: 'extra', type: 'u8', unit: '1', min: 0, max: 1, ext: true, doc: '' },
          { name: 'late', type: 'u8', unit: '1', min: 0, max: 1, doc: '' },
        ],
      },
      { id: 0x15, name: 'Misplaced', group: 'neurostim', kind: 'telemetry', direction: 'node-to-host', doc: '', fields: [] },
    ];
    const problems = catalogueProblems(bad, groups, codeTables).join('\n');
    expect(problems).toMatch(/message PumpSetRate2 \(id 0x20\): id already used by PumpSetRate/);
    expect(problems).toMatch(/message PumpBolus \(id 0x2a\), field volume: unit mL needs the name suffix 'Ml'/);
    expect(problems).toMatch(/field volume: range 0\.\.100 at scale 1\/1000 does not fit u16/);
    expect(problems).toMatch(/field late: a mandatory field may not follow an extension field/);
    expect(problems).toMatch(/message Misplaced \(id 0x15\): id outside its group 'neurostim'/);
  });

  it('generated codec, registry and SPEC.md tables are up to date (run `npm run generate`)', () => {
    for (const f of generatedFiles()) {
      expect(readFileSync(f.path, 'utf8'), `${f.path.slice(protocolsDir.length)} is stale: run npm run generate`).toBe(f.content);
    }
  });

  it('layout hash follows the wire layout and ignores prose', () => {
    expect(computeLayoutHash(messages, codeTables)).toBe(LAYOUT_HASH);
    const reworded = messages.map((m) => ({ ...m, doc: m.doc + ' (reworded)' }));
    expect(computeLayoutHash(reworded, codeTables)).toBe(LAYOUT_HASH);
    const rescaled = messages.map((m) =>
      m.name === 'PumpSetRate' ? { ...m, fields: [{ ...m.fields[0], scale: 0.01 }, m.fields[1]] } : m,
    ) as MessageDef[];
    expect(computeLayoutHash(rescaled, codeTables)).not.toBe(LAYOUT_HASH);
  });
});

describe('compatibility with the released catalogue', () => {
  const released = JSON.parse(readFileSync(protocolsDir + 'released/catalogue.json', 'utf8')) as ReleasedCatalogue;
  const current = releaseSnapshot(PROTOCOL_VERSION, messages, codeTables);

  it('the current catalogue only appends to the released one', () => {
    expect(compatibilityProblems(released, current)).toEqual([]);
  });

  function withPumpSetRate(change: (m: MessageDef) => MessageDef): ReleasedCatalogue {
    return releaseSnapshot(PROTOCOL_VERSION, messages.map((m) => (m.name === 'PumpSetRate' ? change(m) : m)), codeTables);
  }

  it('accepts an appended extension field', () => {
    const next = withPumpSetRate((m) => ({
      ...m, fields: [...m.fields, { name: 'bolusMl', type: 'u16', unit: 'mL', scale: 0.01, min: 0, max: 10, ext: true, doc: '' }],
    }));
    expect(compatibilityProblems(released, next)).toEqual([]);
  });

  it('fails on a changed field, an appended mandatory field, a reused id and a removed message', () => {
    const changed = withPumpSetRate((m) => ({ ...m, fields: [{ ...m.fields[0], scale: 0.01 }, m.fields[1]] }));
    expect(compatibilityProblems(released, changed).join()).toMatch(/PumpSetRate \(id 0x20\), field rateMlPerH: layout changed/);
    const appended = withPumpSetRate((m) => ({
      ...m, fields: [...m.fields, { name: 'bolusMl', type: 'u16', unit: 'mL', scale: 0.01, min: 0, max: 10, doc: '' }],
    }));
    expect(compatibilityProblems(released, appended).join()).toMatch(/field bolusMl: appended to a released message without the extension marker/);
    const reused = withPumpSetRate((m) => ({ ...m, name: 'PumpBolus' }));
    expect(compatibilityProblems(released, reused).join()).toMatch(/its id is now used by PumpBolus/);
    const removed = releaseSnapshot(PROTOCOL_VERSION, messages.filter((m) => m.name !== 'PumpStop'), codeTables);
    expect(compatibilityProblems(released, removed).join()).toMatch(/PumpStop \(id 0x21\) was removed/);
  });

  it('fails when a released code changes value', () => {
    const tables = codeTables.map((t) => (t.name === 'NackReason' ? { ...t, values: { ...t.values, 'hard-limit': 99 } } : t));
    const next = releaseSnapshot(PROTOCOL_VERSION, messages, tables);
    expect(compatibilityProblems(released, next).join()).toMatch(/NackReason: released code hard-limit=5 was changed/);
  });
});
