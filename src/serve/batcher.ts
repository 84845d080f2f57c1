// Micro-batching: requests that arrive close together run as ONE model run, then the outputs are
// split back. A batch is cut at `maxBatch` images. The first request of a batch waits at most
// `waitMs` for company, but only while other requests are known to be on their way (announced:
// their bodies are still being read); a lone request runs at once, so batching costs no latency
// at low load. Runs are serial: while one runs, new requests queue, and the queue runs as soon as
// it ends, so under load the batch size grows by itself and throughput rises with it. A request
// submitted with an AbortSignal (its deadline) leaves the queue when the signal fires.

/** Each output is `count * width` values, row-major, one row per image. */
export type BatchOutputs = Readonly<Record<string, Float32Array>>;
export type BatchRun = (rows: Float32Array, count: number) => Promise<BatchOutputs>;

export interface BatcherOptions {
  /** values per image (1*28*28) */
  readonly rowSize: number;
  readonly maxBatch: number;
  readonly waitMs: number;
  readonly run: BatchRun;
}

export interface BatcherStats {
  /** model runs so far */
  runs: number;
  requests: number;
  images: number;
  largestBatch: number;
}

interface Pending {
  rows: Float32Array;
  count: number;
  resolve: (outputs: BatchOutputs) => void;
  reject: (error: unknown) => void;
  /** removes the abort listener once the request has left the queue */
  settle?: () => void;
}

export class MicroBatcher {
  private readonly queue: Pending[] = [];
  private queuedImages = 0;
  /** requests announced but not yet submitted */
  private incoming = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private running = false;
  private readonly counters: BatcherStats = { runs: 0, requests: 0, images: 0, largestBatch: 0 };

  constructor(private readonly options: BatcherOptions) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1)
      throw new RangeError(`maxBatch must be a positive integer, got ${options.maxBatch}`);
    if (!(options.waitMs >= 0)) throw new RangeError(`waitMs must be >= 0, got ${options.waitMs}`);
  }

  stats(): BatcherStats {
    return { ...this.counters };
  }

  /** Images waiting for a model run. */
  get queued(): number {
    return this.queuedImages;
  }

  /**
   * Announces a request whose images are still arriving, so a waiting batch waits for it.
   * Returns the function to call if it never submits (bad input); submitting ends it too.
   */
  announce(): () => void {
    this.incoming += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.incoming -= 1;
      this.schedule();
    };
  }

  /**
   * Queues `count` images (`rows` holds count * rowSize values); resolves with their rows of every
   * output. `arrived` is the function announce() returned, if the request was announced. When
   * `signal` aborts while the request is still queued, it leaves the queue and rejects with the
   * signal's reason (once its run has started, it runs to the end).
   */
  submit(rows: Float32Array, count: number, arrived?: () => void, signal?: AbortSignal): Promise<BatchOutputs> {
    if (rows.length !== count * this.options.rowSize) {
      arrived?.();
      return Promise.reject(
        new RangeError(`submit: ${rows.length} values for ${count} images of ${this.options.rowSize}`),
      );
    }
    if (signal?.aborted) {
      arrived?.();
      return Promise.reject(signal.reason);
    }
    return new Promise((resolve, reject) => {
      const pending: Pending = { rows, count, resolve, reject };
      if (signal) {
        const onAbort = () => {
          const at = this.queue.indexOf(pending);
          if (at < 0) return;
          this.queue.splice(at, 1);
          this.queuedImages -= count;
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        pending.settle = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(pending);
      this.queuedImages += count;
      this.counters.requests += 1;
      if (arrived)
        arrived(); // schedules, now that this request is in the queue
      else this.schedule();
    });
  }

  // A batch is checked in setImmediate, after the event loop's poll phase: requests that came in
  // together are all parsed (and queued or announced) by then. With none announced it runs;
  // otherwise it waits up to waitMs for them, and runs as soon as the last one is queued.
  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    if (this.queuedImages >= this.options.maxBatch) {
      void this.flush();
    } else if (this.immediate === undefined && (this.timer === undefined || this.incoming === 0)) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        if (this.incoming === 0) void this.flush();
        else this.timer ??= setTimeout(() => void this.flush(), this.options.waitMs);
      });
    }
  }

  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    if (this.running || this.queue.length === 0) return;
    // Take whole requests up to maxBatch images; a request larger than maxBatch runs alone.
    const batch: Pending[] = [this.queue.shift()!];
    let count = batch[0]!.count;
    while (this.queue.length > 0 && count + this.queue[0]!.count <= this.options.maxBatch) {
      const next = this.queue.shift()!;
      batch.push(next);
      count += next.count;
    }
    this.queuedImages -= count;
    for (const p of batch) p.settle?.();
    const { rowSize } = this.options;
    const input = new Float32Array(count * rowSize);
    let offset = 0;
    for (const p of batch) {
      input.set(p.rows, offset * rowSize);
      offset += p.count;
    }

    this.running = true;
    this.counters.runs += 1;
    this.counters.images += count;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, count);
    try {
      const outputs = await this.options.run(input, count);
      let start = 0;
      for (const p of batch) {
        p.resolve(sliceRows(outputs, count, start, p.count));
        start += p.count;
      }
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      this.running = false;
      // whatever queued during the run has waited long enough: run it now
      if (this.queue.length > 0) void this.flush();
    }
  }
}

function sliceRows(outputs: BatchOutputs, total: number, start: number, count: number): BatchOutputs {
  const result: Record<string, Float32Array> = {};
  for (const [name, data] of Object.entries(outputs)) {
    const width = data.length / total;
    result[name] = data.slice(start * width, (start + count) * width);
  }
  return result;
}
