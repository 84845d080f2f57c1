// Which training step a run trains, in which form: the folder that build-graph wrote (checked
// against this CPU's NCHWc layout), or the run's CNN compiled in the form for its device.
import { formForDevice, stepForm, usesNchwc } from '../passes/forms.js';
import { nchwcBlockSize } from '../runtime/node.js';
import { type LoadedTrainGraph, loadedStep, loadGraphDir } from './graph-dir.js';
import type { TrainOptions } from './options.js';
import { buildTrainStep } from './train-step.js';

/** The form train builds for onnxruntime-node (src/passes/forms.ts): NCHWc with the CPU provider unless --no-nchwc. */
const formFor = (o: TrainOptions) => stepForm(formForDevice(o.device, o.nchwc !== false));

/** The NCHWc block size to lay the image convolution out for: this CPU's, where the form has NCHWc. */
const nchwcBlockFor = async (o: TrainOptions): Promise<number | null> =>
  usesNchwc(formFor(o)) ? nchwcBlockSize() : null;

/** The training step a run trains: its build-graph folder (checked against this CPU), or its CNN built in the run's form. */
export async function loadTrainGraph(o: TrainOptions): Promise<LoadedTrainGraph> {
  if (o.graphDir) {
    const loaded = loadGraphDir(o.graphDir);
    const block = loaded.manifest.nchwcBlock ?? null;
    if (block !== null && block !== (await nchwcBlockFor(o))) {
      throw new Error(
        `${o.graphDir}: the training graph was built for NCHWc blocks of ${block}, which this CPU or device does not use; run 'onnxgrad build-graph --out ${o.graphDir}' here again`,
      );
    }
    return loaded;
  }
  const nchwcBlock = await nchwcBlockFor(o);
  if (!o.model) throw new Error('train: no network to build (give the model options, --graph DIR or --from FILE)');
  return loadedStep(
    buildTrainStep(o.model, { optimizer: o.optimizer, batchSize: o.batchSize, form: formFor(o).name, nchwcBlock }),
  );
}
