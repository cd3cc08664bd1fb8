// Video helpers on ffmpeg/ffprobe from npm (FFMPEG_PATH / FFPROBE_PATH override the binaries).
export {
  MediaError,
  isMediaError,
  isPermanentMediaError,
  PERMANENT_MEDIA_ERRORS,
  ffmpegPath,
  ffprobePath,
  spawnMedia,
  runMedia,
  type MediaErrorCode,
  type MediaInput,
  type MediaProcess,
  type SpawnMediaOptions,
} from './ffmpeg.js';
export { probe, type ProbeResult } from './probe.js';
export { decodeFrames, scaledSize, type DecodeOptions, type RawFrame } from './decode.js';
export { cutClips, buildCutArgs, keyframeTimes, type ClipInfo, type CutClipsOptions, type CutCodec } from './clips.js';
export { buildReplay, planReplay, type ReplayClip, type ReplayOptions, type ReplayPlan, type ReplayWindow } from './replay.js';
export { snapshotJpeg, type SnapshotOptions } from './snapshot.js';
