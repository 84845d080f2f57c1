// A raw HTTP client for the tests: unlike fetch, it sends the path exactly as written
// (`/../x`, `%2e%2e`), so path traversal can be tried for real.
import { type Agent, request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json(): unknown;
}

export function rawRequest(
  base: string,
  method: string,
  path: string,
  body?: Uint8Array | string,
  headers: Record<string, string> = {},
  agent: Agent | false = false,
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const data = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: data,
          json: () => JSON.parse(data.toString('utf8')) as unknown,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface Prediction {
  label: number;
  className: string;
  probabilities: number[];
}

export async function postJson(base: string, body: unknown, agent: Agent | false = false): Promise<RawResponse> {
  return rawRequest(base, 'POST', '/v1/predict', JSON.stringify(body), { 'Content-Type': 'application/json' }, agent);
}

export function predictionsOf(res: RawResponse): Prediction[] {
  return (res.json() as { predictions: Prediction[] }).predictions;
}

export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  what: string,
): void {
  if (actual.length !== expected.length)
    throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tolerance))
      throw new Error(`${what}[${i}] = ${actual[i]}, expected ${expected[i]} (tolerance ${tolerance})`);
  }
}
