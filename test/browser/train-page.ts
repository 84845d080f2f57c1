// Shared by the training-page tests and the browser benchmark: a server with the training routes
// (and an untrained inference model, which the server needs anyway), and the page's state.
import type { TrainState } from '../../web-demo/src/page-state.js';
import type { Page } from 'playwright-core';
import { startServer, type ServeHandle } from '../../src/serve/server.js';
import { testModelPath } from '../serve/fixtures.js';
import { ensureWebDemoBuilt } from './chromium.js';

export async function startTrainingServer(): Promise<ServeHandle> {
  return startServer({ modelPath: testModelPath(), port: 0, webRoot: ensureWebDemoBuilt() });
}

export function trainState(page: Page): Promise<TrainState> {
  return page.evaluate(() => (globalThis as unknown as { onnxgradTrain: TrainState }).onnxgradTrain);
}

/** Opens the training page with these URL parameters and waits until it is ready (or failed). */
export async function openTrainingPage(
  page: Page,
  url: string,
  params: Record<string, string | number>,
  timeout = 60_000,
): Promise<TrainState> {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  await page.goto(`${url}/train.html?${query}`);
  await page.waitForFunction(
    () => {
      const s = (globalThis as unknown as { onnxgradTrain?: TrainState }).onnxgradTrain;
      return s?.ready === true || (s?.error ?? '') !== '';
    },
    undefined,
    { timeout },
  );
  const state = await trainState(page);
  if (state.error) throw new Error(`the training page failed: ${state.error}`);
  return state;
}

/** Waits until the page has paused after `steps` steps (stopAt) and returns its state. */
export async function waitForSteps(page: Page, steps: number, timeout: number): Promise<TrainState> {
  await page.waitForFunction(
    (n) => {
      const s = (globalThis as unknown as { onnxgradTrain: TrainState }).onnxgradTrain;
      return (s.step >= n && !s.running) || s.error !== '';
    },
    steps,
    { timeout, polling: 200 },
  );
  const state = await trainState(page);
  if (state.error) throw new Error(`the training page failed: ${state.error}`);
  return state;
}

export type { TrainState };
