// --ep: the execution provider, one name of the runtime's device table (src/runtime/node.ts).
import { InvalidArgumentError, Option } from 'commander';
import { type Device, DEVICES } from '../../src/runtime/node.js';

export const EP_HELP =
  'execution provider: cpu; cuda (install its provider first, README); webgpu (any GPU with a Vulkan driver)';

export const epOption = (): Option => new Option('--ep <name>', EP_HELP).choices(DEVICES).default('cpu');

/** bench's --ep: a list of the providers it times, e.g. cpu,webgpu. */
export function benchEpList(value: string): Device[] {
  const names = value.split(',').map((s) => s.trim());
  const timed: readonly Device[] = ['cpu', 'webgpu'];
  for (const n of names)
    if (!timed.includes(n as Device))
      throw new InvalidArgumentError(`expected a list of ${timed.join(', ')} (e.g. cpu,webgpu), got '${n}'.`);
  return [...new Set(names as Device[])];
}
