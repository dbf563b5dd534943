import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainCommand } from '../experiments/train.ts';
import { fig6 } from '../experiments/fig6.ts';
import { MODELS, parseModel } from '../src/model/registry.ts';
import { Network } from '../src/model/network.ts';
import { initBackend } from '../src/util/backend.ts';
import { Rng } from '../src/util/rng.ts';
import { loadMnistSplit } from '../src/data/mnist.ts';
import { encodeCifarRecords } from '../src/data/cifar10.ts';
import { cliMessage } from './helpers/cli-message.ts';
import { sink, useTempDir } from './helpers/io.ts';

const tempDir = useTempDir('workloads-cli-');

/** An example value of each registry entry's syntax. */
const EXAMPLE: Record<string, string> = { mlp: 'mlp', 'mlp:': 'mlp:24,12,6', cnn: 'cnn', 'cnn-authors': 'cnn-authors' };

test.before(async () => {
  await initBackend();
});

// Conformance, generated from the model registry.
for (const m of MODELS) {
  test(`model ${m.syntax}: its value parses to a plan, it builds on 28×28 and 32×32×3 and takes an exact SGD step`, (t) => {
    const text = EXAMPLE[m.name];
    t.truthy(text, `give ${m.name} an example value in this test`);
    const plan = parseModel(text);
    t.not(typeof plan, 'string');
    if (typeof plan === 'string' || plan.kind !== 'layers') return; // the paper's MLP: its own tests
    for (const shape of [{ height: 28, width: 28, channels: 1 }, { height: 32, width: 32, channels: 3 }]) {
      const net = Network.init(new Rng(1), plan.layers, shape, 10);
      t.is(net.toArrays().sizes.at(-1), 10);
      net.dispose();
    }
    if (m.name === 'cnn-authors') return; // one step of the big CNN is seconds on a loaded machine
    const d = loadMnistSplit('train', { limit: 4 });
    const net = Network.init(new Rng(1), plan.layers, { height: 28, width: 28, channels: 1 }, 10);
    const before = tf.memory().numTensors;
    const s = net.sgdStep(d.images, d.labels, 0.01);
    t.is(tf.memory().numTensors, before);
    t.true(Number.isFinite(s.loss));
    net.dispose();
  });
}

test('the authors\' CNN has 5408 inputs to its first dense layer at 28×28', (t) => {
  const plan = parseModel('cnn-authors');
  if (typeof plan === 'string' || plan.kind !== 'layers') return t.fail();
  const net = Network.init(new Rng(1), plan.layers, { height: 28, width: 28, channels: 1 }, 10);
  t.deepEqual(net.toArrays().sizes, [784, 28 * 28 * 32, 26 * 26 * 32, 5408, 512, 256, 10]);
  net.dispose();
});

test('train --dataset fashion-mnist --model cnn: records dataset and model in config.json', async (t) => {
  const out = join(tempDir(), 'cnn');
  const res = await trainCommand(['--dataset', 'fashion-mnist', '--model', 'cnn', '--code-conv', '--scheme', 'mds', '--tmax', 'inf', '--limit', '64', '--test-limit', '50', '--epochs', '1', '--out', out], { stdout: sink(), handleSignals: false });
  t.is(res.iterations, 1);
  const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  t.is(cfg.dataset, 'fashion-mnist');
  t.is(cfg.model, 'cnn');
  t.is(cfg.options.codeConv, true);
  t.is(cfg.data.dataDir, '/usr/share/datasets/fashion-mnist');
  // conv 1 (grad weight), conv 2, dense 3, 4, 5 (both): 9 coded products of 15 MDS workers each
  t.is(res.meanWorkersReceived, 9 * 15);
});

const cifarDir = () => {
  const dir = join(tempDir(), 'cifar-short');
  if (!existsSync(dir)) {
    mkdirSync(dir);
    for (const f of ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']) {
      writeFileSync(join(dir, f), encodeCifarRecords(new Uint8Array(2), new Uint8Array(2 * 3072)));
    }
    writeFileSync(join(dir, 'data_batch_2.bin'), new Uint8Array(3073 + 3000)); // one record and a cut one
  }
  return dir;
};

const BAD: Array<[() => string[], RegExp]> = [
  [() => ['--dataset', 'imagenet'], /^--dataset: 'imagenet' is not one of mnist, fashion-mnist, cifar10$/],
  [() => ['--model', 'resnet'], /^--model: unknown model 'resnet' \(valid: mlp, mlp:W1,W2,…, cnn, cnn-authors\)$/],
  [() => ['--model', 'mlp:0'], /^--model: mlp:W1,W2,… needs widths that are integers 1\.\.16384, got '0' .*\(valid: mlp, /],
  [() => ['--model', 'mlp:'], /^--model: mlp:W1,W2,… needs widths/],
  [() => ['--code-conv'], /^--code-conv: --model mlp has no convolutions to code/],
  [() => ['--model', 'mlp:64', '--code-conv'], /^--code-conv: --model mlp:64 has no convolutions/],
  [() => ['--dataset', 'cifar10'], /^--dataset: cifar10 needs --data-dir DIR holding data_batch_1\.bin/],
  [() => ['--dataset', 'cifar10', '--data-dir', cifarDir()], /^--data-dir: .*data_batch_2\.bin: 6073 bytes is not a whole number of CIFAR-10 records of 3073 bytes/],
  [() => ['--model', 'cnn', '--runtime', 'threads'], /^--model: cnn runs its backward pass inside tfjs's synchronous autodiff: simulator only/],
  [() => ['--model', 'cnn', '--design', 'auto', '--scheme', 'ew'], /^--design: auto designs the six products of the paper's MLP/],
];
BAD.forEach(([args, re], i) => {
  test.serial(`bad input ${i + 1}: ${re.source.slice(1, 30)}… → one line naming the flag, nothing written`, async (t) => {
    const out = join(tempDir(), `bad-${i}`);
    const err = await t.throwsAsync(trainCommand([...args(), '--out', out], { stdout: sink(), handleSignals: false }));
    const msg = cliMessage(err);
    t.regex(msg, re);
    t.false(msg.includes('\n'));
    t.false(existsSync(out));
    t.deepEqual(readdirSync(tempDir()).filter((n) => n.startsWith(`${out.split('/').pop()}.`)), []);
  });
});

test('fig6 rejects a bad workload before running anything', async (t) => {
  const out = join(tempDir(), 'fig6-bad');
  const err = await t.throwsAsync(fig6(['--model', 'mlp:0', '--out', out], { stdout: sink(), handleSignals: false }));
  t.regex(cliMessage(err), /^--model: mlp:W1,W2,… needs widths/);
  t.false(existsSync(out));
});
