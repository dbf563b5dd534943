import test from 'ava';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng, nonBackgroundPixels } from './helpers/png.ts';
import { lineChart, panelChart, renderSpec, specToSvg, svgToPng, type TopLevelSpec } from '../src/plot/index.ts';


test('renderSpec writes an SVG and a PNG for a tiny spec', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'plot-test-'));
  try {
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: [{ x: 0, y: 1 }, { x: 1, y: 3 }] },
      mark: 'line',
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    } as TopLevelSpec;
    const written = await renderSpec(spec, join(dir, 'tiny'));
    t.deepEqual(written, [join(dir, 'tiny.svg'), join(dir, 'tiny.png'), join(dir, 'tiny.vl.json')]);
    // the spec file is the spec drawn (the report's interactive twin reads it)
    t.deepEqual(JSON.parse(await readFile(join(dir, 'tiny.vl.json'), 'utf8')), JSON.parse(JSON.stringify(spec)));
    const svg = await readFile(join(dir, 'tiny.svg'), 'utf8');
    // vega-lite's default view is 200×200 plus axes; the PNG is that at 2× and shows the line
    const size = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg);
    t.truthy(size, 'the SVG states its size');
    const img = decodePng(await readFile(join(dir, 'tiny.png')));
    t.is(img.width, 2 * Number(size![1]));
    t.is(img.height, 2 * Number(size![2]));
    t.true(img.width >= 400 && img.height >= 400, `${img.width}×${img.height}`);
    t.true(nonBackgroundPixels(img) > 500, 'the line and axes are drawn');
    t.deepEqual((await readdir(dir)).sort(), ['tiny.png', 'tiny.svg', 'tiny.vl.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('lineChart: lines, points with error bars, titles and legend reach the SVG', async (t) => {
  const spec = lineChart({
    title: 'Loss vs time',
    x: { field: 't', title: 'time t' },
    y: { field: 'v', title: 'normalised loss', domain: [0, 1] },
    color: { field: 'scheme', title: 'Scheme', sort: ['NOW', 'EW'] },
    dash: { field: 'kind', title: 'Kind' },
    lines: [
      { t: 0, v: 1, scheme: 'NOW', kind: 'theory' },
      { t: 1, v: 0.2, scheme: 'NOW', kind: 'theory' },
      { t: 0, v: 1, scheme: 'EW', kind: 'theory' },
      { t: 1, v: 0.1, scheme: 'EW', kind: 'theory' },
    ],
    points: { rows: [{ t: 1, v: 0.15, lo: 0.1, hi: 0.2, scheme: 'EW', kind: 'theory' }], yLow: 'lo', yHigh: 'hi' },
  });
  const svg = await specToSvg(spec);
  for (const text of ['Loss vs time', 'time t', 'normalised loss', 'Scheme', 'NOW', 'EW']) {
    t.true(svg.includes(text), `SVG lacks "${text}"`);
  }
  const img = decodePng(svgToPng(svg, 1));
  t.true(img.width > 200 && img.height > 200, `${img.width}×${img.height}`);
  // the series colours (vega's category10: blue and orange) are among the pixels
  const has = (r: number, g: number, b: number) => {
    for (let i = 0; i < img.pixels.length; i += img.channels) {
      if (Math.abs(img.pixels[i] - r) < 8 && Math.abs(img.pixels[i + 1] - g) < 8 && Math.abs(img.pixels[i + 2] - b) < 8) return true;
    }
    return false;
  };
  t.true(has(0x4c, 0x78, 0xa8), 'the first series is drawn');
  t.true(has(0xf5, 0x85, 0x18), 'the second series is drawn');
});

test('panelChart: one panel per value with a band', async (t) => {
  const rows = [0.25, 0.5, 1, 2].flatMap((T) =>
    [0, 1, 2].map((it) => ({ T: `T_max = ${T}`, it, acc: 0.5 + 0.1 * it, lo: 0.4 + 0.1 * it, hi: 0.6 + 0.1 * it, scheme: 'EW' })),
  );
  const spec = panelChart({
    title: 'Accuracy',
    x: { field: 'it', title: 'iteration' },
    y: { field: 'acc', title: 'accuracy' },
    color: { field: 'scheme', title: 'Scheme' },
    lines: rows,
    band: { rows, yLow: 'lo', yHigh: 'hi' },
    panel: { field: 'T', title: 'deadline', columns: 2 },
  });
  const svg = await specToSvg(spec);
  for (const T of [0.25, 0.5, 1, 2]) t.true(svg.includes(`T_max = ${T}`));
  t.throws(() => lineChart({ x: { field: 'a', title: 'a' }, y: { field: 'b', title: 'b' } }), { instanceOf: RangeError });
});
