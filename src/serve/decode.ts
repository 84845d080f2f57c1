// Request bodies -> images as raw intensities, 0 (background) to 255 (ink): white digits on
// black, as MNIST stores them. Two encodings are accepted:
//   image/png         one side x side image, 8- or 16-bit grey or RGB(A); colour becomes luminance
//                     (ITU-R BT.601), and alpha is composited over black (transparent = background)
//   application/json  {"pixels": [side*side numbers]} or {"images": [[side*side numbers], ...]},
//                     row-major; "scale": "byte" (default, 0..255) or "unit" (0..1)
// A black-on-white image (a scan of paper) is turned into MNIST's polarity with `invert`.
import { PNG } from 'pngjs';
import { HttpError } from './http.js';

export interface DecodedImages {
  count: number;
  /** count * side * side intensities in [0, 255] */
  pixels: Float32Array;
}

export interface DecodeOptions {
  side: number;
  /** most images one JSON body may carry */
  maxImages: number;
  invert?: boolean;
}

export function decodePng(body: Uint8Array, options: DecodeOptions): DecodedImages {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  } catch (error) {
    throw new HttpError(
      400,
      `the body is not a valid PNG image (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const { side } = options;
  if (png.width !== side || png.height !== side) {
    throw new HttpError(400, `the image is ${png.width}x${png.height} pixels; the model takes ${side}x${side}`);
  }
  const pixels = new Float32Array(side * side);
  const rgba = png.data; // pngjs always expands to 8-bit RGBA
  for (let i = 0; i < pixels.length; i++) {
    const [r, g, b, a] = [rgba[4 * i]!, rgba[4 * i + 1]!, rgba[4 * i + 2]!, rgba[4 * i + 3]!];
    const luma = 0.299 * r + 0.587 * g + 0.114 * b;
    const value = options.invert ? 255 - luma : luma;
    pixels[i] = (value * a) / 255;
  }
  return { count: 1, pixels };
}

export function decodeJson(body: Uint8Array, options: DecodeOptions): DecodedImages {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (error) {
    throw new HttpError(400, `malformed JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'expected a JSON object: {"pixels": [...]} or {"images": [[...], ...]}');
  }
  const body_ = parsed as Record<string, unknown>;
  const scale = body_['scale'] ?? 'byte';
  if (scale !== 'byte' && scale !== 'unit')
    throw new HttpError(400, `"scale" must be "byte" (0..255) or "unit" (0..1), got ${JSON.stringify(scale)}`);
  const invert = options.invert === true || body_['invert'] === true;
  let images: unknown[];
  if ('pixels' in body_ && 'images' in body_) throw new HttpError(400, 'give either "pixels" or "images", not both');
  if ('pixels' in body_) images = [body_['pixels']];
  else if (Array.isArray(body_['images'])) images = body_['images'];
  else throw new HttpError(400, 'expected "pixels": [side*side numbers] or "images": [[side*side numbers], ...]');
  if (images.length === 0) throw new HttpError(400, '"images" is empty');
  if (images.length > options.maxImages)
    throw new HttpError(413, `${images.length} images in one request; the limit is ${options.maxImages}`);

  const size = options.side * options.side;
  const max = scale === 'unit' ? 1 : 255;
  const pixels = new Float32Array(images.length * size);
  images.forEach((image, n) => {
    const where = 'pixels' in body_ ? '"pixels"' : `"images"[${n}]`;
    if (!Array.isArray(image)) throw new HttpError(400, `${where} must be an array of ${size} numbers`);
    if (image.length !== size) {
      throw new HttpError(
        400,
        `${where} has ${image.length} values; the model takes ${options.side}x${options.side} = ${size}`,
      );
    }
    for (let i = 0; i < size; i++) {
      const v: unknown = image[i];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
        throw new HttpError(
          400,
          `${where}[${i}] = ${JSON.stringify(v)}: every value must be a number from 0 to ${max} (scale "${scale}")`,
        );
      }
      const byte = (v * 255) / max;
      pixels[n * size + i] = invert ? 255 - byte : byte;
    }
  });
  return { count: images.length, pixels };
}
