// Row-wise softmax of [count, classes] logits (for models that give no probabilities output)
// and argmax.// Plain TypeScript with no Node imports, so the browser demo uses it too.
export function softmaxRows(logits: Float32Array, count: number): Float32Array {
  const width = logits.length / count;
  const out = new Float32Array(logits.length);
  for (let n = 0; n < count; n++) {
    const row = logits.subarray(n * width, (n + 1) * width);
    const max = Math.max(...row);
    let sum = 0;
    for (let i = 0; i < width; i++) sum += out[n * width + i] = Math.exp((row[i] as number) - max);
    for (let i = 0; i < width; i++) out[n * width + i] = (out[n * width + i] as number) / sum;
  }
  return out;
}

export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}
