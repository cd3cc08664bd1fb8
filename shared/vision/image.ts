/**
 * Image input for the vision models: encoded bytes are decoded with sharp (libvips) to raw 8-bit RGB; the
 * models never see a tfjs decoder (human's node build relies on tfjs-node's, which is not installed).
 */
import sharp from 'sharp';

/** Raw interleaved pixels, row-major, e.g. a video frame from `ffmpeg -pix_fmt rgb24 -f rawvideo`. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** 3 = RGB (default), 4 = RGBA (alpha ignored). */
  channels?: 3 | 4;
}

/** Decoded RGB pixels plus the factor that maps them back to the source image's pixel grid. */
export interface DecodedImage {
  rgb: Uint8Array;
  width: number;
  height: number;
  /** Size of the image as the caller sees it (after EXIF orientation). Boxes are reported in this grid. */
  sourceWidth: number;
  sourceHeight: number;
}

/** The input is not a decodable image (wrong format, truncated, empty, or a malformed raw frame). */
export class NotAnImageError extends Error {
  readonly code = 'NOT_AN_IMAGE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotAnImageError';
  }
}

export const isRawImage = (x: Buffer | Uint8Array | RawImage): x is RawImage =>
  !(x instanceof Uint8Array) && typeof x === 'object' && x !== null && 'data' in x;

/**
 * Decodes (or validates) an image to RGB, shrinking it so its longer side is at most `maxSide`: the person
 * model sees 512×512 and blazeface 256×256, so more pixels only cost memory (a 12 MP photo is ~144 MB as an
 * int32 tensor) and time.
 */
export async function toRgb(input: Buffer | Uint8Array | RawImage, maxSide: number): Promise<DecodedImage> {
  if (isRawImage(input)) return rawToRgb(input, maxSide);
  if (!(input instanceof Uint8Array) || input.byteLength === 0) {
    throw new NotAnImageError('empty input');
  }
  try {
    // autoOrient applies EXIF orientation so boxes match what a viewer sees. failOn 'error' also rejects
    // truncated files but tolerates the minor warnings common in camera JPEGs.
    const image = sharp(input, { failOn: 'error', pages: 1, autoOrient: true });
    const meta = await image.metadata();
    const { data, info } = await image
      .flatten({ background: '#ffffff' }) // alpha, if any, over white
      .toColourspace('srgb') // greyscale/CMYK/16-bit -> 8-bit RGB
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return {
      rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      sourceWidth: meta.autoOrient?.width ?? info.width,
      sourceHeight: meta.autoOrient?.height ?? info.height,
    };
  } catch (err) {
    throw new NotAnImageError(`not a decodable image: ${(err as Error).message}`, { cause: err });
  }
}

async function rawToRgb(img: RawImage, maxSide: number): Promise<DecodedImage> {
  const channels = img.channels ?? 3;
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new NotAnImageError(`raw image: bad size ${width}x${height}`);
  }
  if (channels !== 3 && channels !== 4) throw new NotAnImageError(`raw image: ${String(channels)} channels`);
  if (!(data instanceof Uint8Array) || data.byteLength !== width * height * channels) {
    throw new NotAnImageError(
      `raw image: expected ${width * height * channels} bytes for ${width}x${height}x${channels}, got ${data?.byteLength}`,
    );
  }
  if (channels === 3 && Math.max(width, height) <= maxSide) {
    // The common video-frame case: used as is, no copy.
    return { rgb: data, width, height, sourceWidth: width, sourceHeight: height };
  }
  const { data: out, info } = await sharp(data, { raw: { width, height, channels } })
    .removeAlpha()
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    rgb: new Uint8Array(out.buffer, out.byteOffset, out.byteLength),
    width: info.width,
    height: info.height,
    sourceWidth: width,
    sourceHeight: height,
  };
}
