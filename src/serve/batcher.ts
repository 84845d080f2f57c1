// Micro-batching: requests that arrive close together run as ONE model run, then the outputs are
// split back. The first request of a batch waits at most `waitMs` for company, and a batch is cut
// at `maxBatch` images. Runs are serial: while one runs, new requests queue, and the queue runs as
// soon as it ends, so under load the batch size grows by itself and throughput rises with it.

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
}

export class MicroBatcher {
  private readonly queue: Pending[] = [];
  private queuedImages = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly counters: BatcherStats = { runs: 0, requests: 0, images: 0, largestBatch: 0 };

  constructor(private readonly options: BatcherOptions) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${options.maxBatch}`);
    if (!(options.waitMs >= 0)) throw new RangeError(`waitMs must be >= 0, got ${options.waitMs}`);
  }

  stats(): BatcherStats {
    return { ...this.counters };
  }

  /** Queues `count` images (`rows` holds count * rowSize values); resolves with their rows of every output. */
  submit(rows: Float32Array, count: number): Promise<BatchOutputs> {
    if (rows.length !== count * this.options.rowSize) {
      return Promise.reject(new RangeError(`submit: ${rows.length} values for ${count} images of ${this.options.rowSize}`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, count, resolve, reject });
      this.queuedImages += count;
      this.counters.requests += 1;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    if (this.queuedImages >= this.options.maxBatch) {
      void this.flush();
    } else {
      this.timer ??= setTimeout(() => void this.flush(), this.options.waitMs);
    }
  }

  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
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
