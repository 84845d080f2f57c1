// What a trained model.onnx says about its data (metadata_props written by the trainer): the
// dataset, its class names and the normalisation its inputs need.
import type { Normalization } from '../data/normalize.js';
import { decodeModelProto } from './import.js';

export interface ModelInfo {
  readonly dataset?: string;
  readonly classNames?: readonly string[];
  readonly normalization?: Normalization;
}

export function readModelInfo(bytes: Uint8Array): ModelInfo {
  const props = new Map((decodeModelProto(bytes).metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  const json = <T>(key: string): T | undefined => {
    const text = props.get(key);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  };
  const dataset = props.get('dataset');
  const classNames = json<string[]>('classNames');
  const normalization = json<Normalization>('normalization');
  return {
    ...(dataset ? { dataset } : {}),
    ...(classNames ? { classNames } : {}),
    ...(normalization ? { normalization } : {}),
  };
}
