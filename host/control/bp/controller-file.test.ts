// Controller files: the shipped ones load; a bad one is refused with the file, the field and the range.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { controllerFrom, loadControllerFile, shippedControllerPath } from './controller-file.ts';

describe('controller files', () => {
  it('the shipped controllers load and aim at the scenario\'s target when given one', () => {
    for (const name of ['pid', 'adaptive'] as const) {
      const c = controllerFrom(loadControllerFile(shippedControllerPath(name)), 90);
      expect(c.name).toBe(name);
      expect((c.settings as { targetMmHg: number }).targetMmHg).toBe(90);
    }
  });

  it('a value out of range is refused naming the file, the field and the limit; an unknown kind names the choices', () => {
    const dir = mkdtempSync(join(tmpdir(), 'controller-'));
    const good = JSON.parse(readFileSync(shippedControllerPath('adaptive'), 'utf8'));
    writeFileSync(join(dir, 'bad.controller.json'), JSON.stringify({ ...good, quantileAtFullConfidence: 0.9 }));
    expect(() => loadControllerFile(join(dir, 'bad.controller.json'))).toThrow(/bad\.controller\.json: quantileAtFullConfidence: .*0\.5/);
    writeFileSync(join(dir, 'odd.controller.json'), JSON.stringify({ ...good, kind: 'fuzzy' }));
    expect(() => loadControllerFile(join(dir, 'odd.controller.json'))).toThrow(/odd\.controller\.json: kind: .*pid.*adaptive/);
  });

  it('the adaptive controller refuses a vasopressor: its candidate models are the vasodilator\'s', () => {
    const good = JSON.parse(readFileSync(shippedControllerPath('adaptive'), 'utf8'));
    expect(() => controllerFrom({ ...good, drugEffect: 'raises' })).toThrow(/vasodilator .* only; use the pid controller for a vasopressor/);
  });
});
