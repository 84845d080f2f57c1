// Admission (src/serve/admission.ts): a burst of connections from another thread is read a few
// at a time, in arrival order, and every request is still answered; a keep-alive connection
// already let in is answered while hundreds of new ones wait; a silent connection gives its
// place up.
import assert from 'node:assert/strict';
import { Agent, createServer, request } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Admission } from '../../src/serve/admission.js';

/** `count` GETs at once, each on a connection of its own, from a worker thread (its own event loop): their statuses. */
function burstFromWorker(port: number, count: number): Promise<number[]> {
  const source = `
    const { request } = require('node:http');
    const { workerData, parentPort } = require('node:worker_threads');
    const get = (i) => new Promise((resolve) => {
      const req = request({ host: '127.0.0.1', port: workerData.port, path: '/?i=' + i, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', (e) => resolve(e.code));
      req.end();
    });
    Promise.all(Array.from({ length: workerData.count }, (_, i) => get(i))).then((s) => parentPort.postMessage(s));`;
  const worker = new Worker(source, { eval: true, workerData: { port, count } });
  return new Promise((resolve, reject) => {
    worker.once('message', (statuses: number[]) => void worker.terminate().then(() => resolve(statuses)));
    worker.once('error', reject);
  });
}

function get(port: number, path: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A server whose handler counts the requests it sees between two check phases of the event loop. */
async function countingServer(maxNew: number, idleMs = 1000) {
  let thisTurn = 0;
  let mostInOneTurn = 0;
  const order: number[] = [];
  const server = createServer((req, res) => {
    thisTurn += 1;
    mostInOneTurn = Math.max(mostInOneTurn, thisTurn);
    order.push(Number(new URL(req.url ?? '/', 'http://x').searchParams.get('i')));
    res.end('ok');
  });
  const admission = new Admission(server, { maxNew, idleMs });
  let ticking = true;
  const tick = () => {
    thisTurn = 0;
    if (ticking) setImmediate(tick);
  };
  tick();
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    admission,
    mostInOneTurn: () => mostInOneTurn,
    order,
    async close() {
      ticking = false;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
    /** http's own graceful close: it cuts only the connections with no request in progress */
    async closeGently() {
      ticking = false;
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

test('a burst of 300 connections is read at most 8 at a time, and every request is answered', async () => {
  const server = await countingServer(8);
  try {
    const statuses = await burstFromWorker(server.port, 300);
    assert.deepEqual(new Set(statuses), new Set([200]));
    assert.equal(server.order.length, 300);
    assert.ok(server.mostInOneTurn() <= 8, `${server.mostInOneTurn()} requests were read in one turn`);
    assert.equal(server.admission.waiting, 0);
    assert.equal(server.admission.reading, 0);
  } finally {
    await server.close();
  }
});

test('a keep-alive connection already let in is answered while hundreds of new ones wait', async () => {
  const server = await countingServer(1);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    assert.equal(await get(server.port, '/?i=-1', agent), 200);
    const burst = burstFromWorker(server.port, 400);
    while (server.admission.waiting < 100) await new Promise((resolve) => setTimeout(resolve, 1));
    const waitingWhenAsked = server.admission.waiting;
    assert.equal(await get(server.port, '/?i=-2', agent), 200);
    const answeredAfter = server.order.indexOf(-2) - 1;
    await burst;
    assert.ok(
      answeredAfter < 20,
      `the keep-alive request was answered after ${answeredAfter} of the burst (${waitingWhenAsked} were waiting)`,
    );
  } finally {
    agent.destroy();
    await server.close();
  }
});

test('a connection that sends nothing gives its place up after idleMs', async () => {
  const server = await countingServer(1, 50);
  const agent = new Agent({ keepAlive: false });
  const silent = connect(server.port, '127.0.0.1');
  try {
    await new Promise((resolve) => silent.once('connect', resolve));
    const started = performance.now();
    assert.equal(await get(server.port, '/?i=1', agent), 200);
    const ms = performance.now() - started;
    assert.ok(ms >= 40 && ms < 2000, `the next connection waited ${ms.toFixed(0)} ms behind the silent one`);
  } finally {
    silent.destroy();
    agent.destroy();
    await server.close();
  }
});

test('at shutdown, drain() lets the waiting connections in, so close() answers them instead of cutting them', async () => {
  const server = await countingServer(1);
  try {
    const burst = burstFromWorker(server.port, 200);
    while (server.admission.waiting < 50) await new Promise((resolve) => setTimeout(resolve, 1));
    await server.admission.drain(5000);
    assert.equal(server.admission.waiting, 0);
    const statuses = await Promise.all([burst, server.closeGently()]).then(([s]) => s);
    assert.deepEqual(
      Object.fromEntries([...new Set(statuses)].map((s) => [s, statuses.filter((x) => x === s).length])),
      { 200: 200 },
    );
  } finally {
    await server.close();
  }
});

test('admission refuses limits that are not positive integers', () => {
  assert.throws(() => new Admission(createServer(), { maxNew: 0, idleMs: 100 }), /maxNew must be a positive integer/);
});
