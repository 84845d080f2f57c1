// Request bodies -> images as raw intensities, 0 (background) to 255 (ink): white digits on
// black, as MNIST stores them. Two encodings are accepted:
//   image/png         8- or 16-bit grey or RGB(A), palette; colour becomes luminance (ITU-R BT.601),
//                     alpha is composited over black (transparent = background). A side x side
//                     image is taken as it is; any other size up to maxSide x maxSide is prepared
//                     as MNIST's digits were (digit-box.ts), unless `raw` asks for side x side only.
//   application/json  {"pixels": [side*side numbers]} or {"images": [[side*side numbers], ...]},
//                     row-major; "scale": "byte" (default, 0..255) or "unit" (0..1)
// A black-on-white image (a scan of paper) is turned into MNIST's polarity with `invert`.
// A PNG's size is read from its IHDR chunk before anything is inflated, so a decompression bomb
// (a few kB that inflate to gigabytes) is refused in microseconds; interlaced data, which pngjs
// inflates without a bound, is first inflated here with the bound its IHDR implies.
import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { preprocessDrawing } from '../data/digit-box.js';
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
  /** largest PNG width and height (413 above); default 2048 */
  maxSide?: number;
  /** PNGs must be exactly side x side (no preparation) */
  raw?: boolean;
}

export const DEFAULT_MAX_SIDE = 2048;

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
  /** the bytes the image data inflates to: one filter byte and the packed samples per row (per Adam7 pass) */
  inflatedBytes: number;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
/** samples per pixel, and the bit depths allowed, by colour type (PNG spec, table 11.1) */
const COLOR_TYPES: Readonly<Record<number, { channels: number; depths: readonly number[] }>> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, depths: [8, 16] },
  3: { channels: 1, depths: [1, 2, 4, 8] },
  4: { channels: 2, depths: [8, 16] },
  6: { channels: 4, depths: [8, 16] },
};
/** Adam7 passes: [x0, y0, dx, dy] */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

const bad = (why: string) => new HttpError(400, `the body is not a valid PNG image (${why})`);

/** The IHDR chunk: the signature, then length 13, 'IHDR', width and height (u32 big-endian), depth, colour type, ... */
export function readPngHeader(body: Uint8Array): PngHeader {
  if (body.length < 33 || SIGNATURE.some((b, i) => body[i] !== b)) throw bad('no PNG signature and IHDR chunk');
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (view.getUint32(8) !== 13 || String.fromCharCode(...body.subarray(12, 16)) !== 'IHDR')
    throw bad('the first chunk is not IHDR');
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const [bitDepth, colorType, compression, filter, interlace] = body.subarray(24, 29) as unknown as number[];
  const type = COLOR_TYPES[colorType!];
  if (width === 0 || height === 0) throw bad(`${width}x${height} pixels`);
  if (!type || !type.depths.includes(bitDepth!)) throw bad(`colour type ${colorType} with bit depth ${bitDepth}`);
  if (compression !== 0 || filter !== 0 || (interlace !== 0 && interlace !== 1))
    throw bad('unknown compression, filter or interlace method');
  const rowBytes = (w: number) => 1 + Math.ceil((w * type.channels * bitDepth!) / 8);
  let inflatedBytes = height * rowBytes(width);
  if (interlace === 1) {
    inflatedBytes = 0;
    for (const [x0, y0, dx, dy] of ADAM7) {
      const w = Math.ceil((width - x0) / dx);
      const h = Math.ceil((height - y0) / dy);
      if (w > 0 && h > 0) inflatedBytes += h * rowBytes(w);
    }
  }
  return { width, height, bitDepth: bitDepth!, colorType: colorType!, interlaced: interlace === 1, inflatedBytes };
}

/** Refuses a PNG whose size is over the limit, or that `raw` does not allow, from its header alone. */
export function checkPngHeader(body: Uint8Array, options: DecodeOptions): PngHeader {
  const header = readPngHeader(body);
  const { width, height } = header;
  const { side } = options;
  const maxSide = options.maxSide ?? DEFAULT_MAX_SIDE;
  if (options.raw && (width !== side || height !== side))
    throw new HttpError(400, `the image is ${width}x${height} pixels; with ?raw=1 the model takes ${side}x${side}`);
  if (width > maxSide || height > maxSide)
    throw new HttpError(
      413,
      `the image is ${width}x${height} pixels; the limit is ${maxSide}x${maxSide} (a ${side}x${side} image is taken as it is, a larger one is scaled down)`,
    );
  return header;
}

/** The concatenated IDAT chunks (the zlib stream of the image data). */
function imageData(body: Uint8Array): Uint8Array {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const parts: Uint8Array[] = [];
  for (let at = 8; at + 8 <= body.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...body.subarray(at + 4, at + 8));
    if (type === 'IDAT') parts.push(body.subarray(at + 8, Math.min(body.length, at + 8 + length)));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  return Buffer.concat(parts);
}

/** Decodes a PNG to side x side intensities (see the top of this file); throws HttpError. */
export function decodePng(body: Uint8Array, options: DecodeOptions): DecodedImages {
  const header = checkPngHeader(body, options);
  if (header.interlaced) {
    try {
      inflateSync(imageData(body), { maxOutputLength: header.inflatedBytes });
    } catch (error) {
      if (error instanceof RangeError)
        throw new HttpError(
          413,
          `the image data inflates past the ${header.inflatedBytes} bytes that a ${header.width}x${header.height} image holds`,
        );
      // anything else (corrupt data) is pngjs's to report
    }
  }
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  } catch (error) {
    throw bad(error instanceof Error ? error.message : String(error));
  }
  const { width, height } = png;
  const values = new Float32Array(width * height);
  const rgba = png.data; // pngjs expands every format to 8-bit RGBA
  for (let i = 0; i < values.length; i++) {
    const [r, g, b, a] = [rgba[4 * i]!, rgba[4 * i + 1]!, rgba[4 * i + 2]!, rgba[4 * i + 3]!];
    const luma = 0.299 * r + 0.587 * g + 0.114 * b;
    const value = options.invert ? 255 - luma : luma;
    values[i] = (value * a) / 255;
  }
  const { side } = options;
  if (width === side && height === side) return { count: 1, pixels: values };
  const ink = values.map((v) => v / 255);
  const pixels = preprocessDrawing(ink, width, height);
  if (!pixels)
    throw new HttpError(
      400,
      `the ${width}x${height} image has no ink to scale into ${side}x${side} (a white digit on black is expected; ?invert=1 for black on white)`,
    );
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
