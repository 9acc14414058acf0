import { Worker } from 'node:worker_threads';

/** A pure CPU task (deflating a buffer, no I/O, little garbage) run in a worker thread `rounds` times. */
const TASK = `
const { parentPort } = require('node:worker_threads');
const { deflateSync } = require('node:zlib');
const input = Buffer.alloc(200_000, 'needlechart bench control ');
parentPort.on('message', (rounds) => { for (let i = 0; i < rounds; i += 1) deflateSync(input); parentPort.postMessage('done'); });
`;

async function timeThreads(threads: number, rounds: number): Promise<number> {
  const workers = Array.from({ length: threads }, () => new Worker(TASK, { eval: true }));
  try {
    await Promise.all(workers.map((w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage(1); })));
    const started = performance.now();
    await Promise.all(workers.map((w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage(rounds / threads); })));
    return performance.now() - started;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * The control for a pool's speed-up: how much faster `threads` threads do the same pure CPU work than
 * one thread, on this machine, now. On a shared virtual machine this is well under `threads`× (other
 * tenants take a share of the cores), and it moves from run to run, so it is measured in the same run
 * as the figure it qualifies. Alternates one and many threads `repeats` times; returns the median ratio.
 */
export async function cpuScaling(threads: number, repeats = 3, rounds = 2000): Promise<number> {
  const ratios: number[] = [];
  for (let i = 0; i < repeats; i += 1) {
    const one = await timeThreads(1, rounds);
    const many = await timeThreads(threads, rounds);
    ratios.push(one / many);
  }
  return ratios.sort((a, b) => a - b)[Math.floor(ratios.length / 2)] ?? 0;
}
