import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { expect, test } from 'vitest';
import { renderChart } from '../../../bench/report/chart';
import { CHART_FILE } from '../../../bench/report/results';
import { readmeParagraph, readmeSection } from '../../../bench/report/readme';
import type { Summary } from '../../../bench/report/summary';

/** The README's benchmark paragraph and the chart are generated from summary.json: they cannot drift. */
const ROOT = join(__dirname, '..', '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const summary = JSON.parse(read('bench/results/summary.json')) as Summary;

test('the README says what bench/results/summary.json says', () => {
  const section = readmeSection(read('README.md'));
  expect(section, 'README.md has no generated benchmark section').toBeDefined();
  expect(section).toBe(readmeParagraph(summary));
});

test('BENCHMARKS.md opens with the same paragraph, and the chart is the summary’s', () => {
  expect(read('BENCHMARKS.md')).toContain(readmeParagraph(summary));
  expect(read(CHART_FILE)).toBe(renderChart(summary));
});

test('the paragraph is already as Prettier formats Markdown (npm run check keeps it unchanged)', async () => {
  const paragraph = readmeParagraph(summary);
  const options = await resolveConfig(join(ROOT, 'README.md'));
  expect(await format(paragraph, { ...options, parser: 'markdown' })).toBe(`${paragraph}\n`);
});

test('the summary has every policy on every family, in the agreed shape', () => {
  const families = [...Object.keys(summary.config.families), 'all'];
  for (const [policy, cells] of Object.entries(summary.overhead)) {
    for (const family of families) {
      const cell = cells[family as keyof typeof cells];
      expect(cell, `${policy}.${family}`).toEqual({
        medianS: expect.any(Number) as number,
        p95S: expect.any(Number) as number,
        callsPerBake: expect.any(Number) as number,
        premature: expect.any(Number) as number,
      });
    }
  }
  expect(Object.keys(summary.overhead)).toEqual(
    expect.arrayContaining([
      'quadraxis',
      'packer-v2',
      'packer-v1',
      'design-2015',
      'sdk-v3-15-120',
      'sdk-v3-5-15',
      'sdk-v3-2-10',
    ]),
  );
});
