// Where commands print their results: the process's stdout, or, in tests, a buffer. Tests must
// not patch process.stdout: node's test runner reports through it.
let sink: (text: string) => void = (text) => void process.stdout.write(text);

export function print(text: string): void {
  sink(text);
}

/** Sends what commands print to `to` until the returned function is called. */
export function captureOutput(to: (text: string) => void): () => void {
  const previous = sink;
  sink = to;
  return () => {
    sink = previous;
  };
}
