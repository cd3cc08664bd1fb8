import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Block allocation of unique IDs from a DynamoDB atomic counter (the seeds' ID server).
 *
 * One `UpdateItem ADD next :step` reserves the block (next-step, next]; IDs are handed out from
 * memory. When 10% of the block remains, the next block is reserved in the background (double
 * buffer), so callers do not wait on DynamoDB in steady state. The counter only ever grows, so two
 * containers can never get the same block, and a crash loses at most the rest of its blocks:
 * gaps, never repeats. IDs are increasing per key within one allocator; across containers they are
 * unique but interleave by block.
 */
export interface AllocatorOptions {
  table: string;
  client: DynamoDBDocumentClient;
  /** First block size, and bounds for the adaptive size. */
  initialStep?: number;
  minStep?: number;
  maxStep?: number;
  /** Aim for a block to last about this long at the observed rate. */
  targetBlockMs?: number;
  /** Prefetch when this fraction of the current block remains. */
  prefetchAt?: number;
  now?: () => number;
}

interface Block {
  next: number;
  end: number; // inclusive
}

class KeyAllocator {
  private current: Block = { next: 1, end: 0 };
  private pending: Promise<Block> | undefined;
  private step: number;
  private blockStartedAt = 0;
  private blockSize = 0;
  /** Total DynamoDB writes, for the benchmark. */
  writes = 0;

  constructor(private readonly key: string, private readonly o: Required<AllocatorOptions>) {
    this.step = o.initialStep;
  }

  private reserve(): Promise<Block> {
    const step = this.step;
    this.writes++;
    const p = this.o.client
      .send(new UpdateCommand({
        TableName: this.o.table,
        Key: { key: this.key },
        UpdateExpression: 'ADD #next :step SET updatedAt = :now',
        ExpressionAttributeNames: { '#next': 'next' },
        ExpressionAttributeValues: { ':step': step, ':now': new Date(this.o.now()).toISOString() },
        ReturnValues: 'UPDATED_NEW',
      }))
      .then((r) => {
        const end = Number(r.Attributes?.next);
        if (!Number.isSafeInteger(end)) throw new Error(`id counter ${this.key} is not a safe integer`);
        return { next: end - step + 1, end };
      });
    return p;
  }

  private prefetch(): void {
    if (this.pending) return;
    const p = this.reserve();
    this.pending = p;
    // A failed prefetch is retried by the next caller that needs it.
    p.catch(() => {
      if (this.pending === p) this.pending = undefined;
    });
  }

  /** Adapts the next block's size to the rate at which the last one was used. */
  private adapt(): void {
    const elapsed = Math.max(1, this.o.now() - this.blockStartedAt);
    const rate = this.blockSize / elapsed; // ids per ms
    const wanted = Math.round(rate * this.o.targetBlockMs);
    this.step = Math.min(this.o.maxStep, Math.max(this.o.minStep, wanted, Math.floor(this.step / 2)));
  }

  private async refill(): Promise<void> {
    if (this.blockSize > 0) this.adapt();
    const pending = this.pending ?? this.reserve();
    this.pending = undefined;
    try {
      const block = await pending;
      // Another caller may have refilled while we waited; keep the fresh block for later then.
      if (this.current.next <= this.current.end) {
        this.pending = Promise.resolve(block);
        return;
      }
      this.current = block;
    } catch (err) {
      throw new Error(`could not reserve ids for ${this.key}: ${(err as Error).message}`, { cause: err });
    }
    this.blockStartedAt = this.o.now();
    this.blockSize = this.current.end - this.current.next + 1;
  }

  /** Takes up to `count` ids from memory; refills as needed. */
  async take(count: number): Promise<number[]> {
    const out: number[] = [];
    while (out.length < count) {
      if (this.current.next > this.current.end) await this.refill();
      else {
        const n = Math.min(count - out.length, this.current.end - this.current.next + 1);
        for (let i = 0; i < n; i++) out.push(this.current.next + i);
        this.current.next += n;
      }
      const remaining = this.current.end - this.current.next + 1;
      if (remaining <= this.blockSize * this.o.prefetchAt) this.prefetch();
    }
    return out;
  }

  /** The fast path: no promise when the id is in memory (for hot loops and benchmarks). */
  takeSync(): number | undefined {
    if (this.current.next > this.current.end) return undefined;
    const id = this.current.next++;
    if (this.current.end - this.current.next + 1 <= this.blockSize * this.o.prefetchAt) this.prefetch();
    return id;
  }
}

export class IdAllocator {
  private readonly keys = new Map<string, KeyAllocator>();
  private readonly o: Required<AllocatorOptions>;

  constructor(opts: AllocatorOptions) {
    this.o = {
      initialStep: 100,
      minStep: 10,
      maxStep: 1_000_000,
      targetBlockMs: 5_000,
      prefetchAt: 0.1,
      now: Date.now,
      ...opts,
    };
  }

  private of(key: string): KeyAllocator {
    let a = this.keys.get(key);
    if (!a) this.keys.set(key, (a = new KeyAllocator(key, this.o)));
    return a;
  }

  async nextId(key: string): Promise<number> {
    const a = this.of(key);
    return a.takeSync() ?? (await a.take(1))[0]!;
  }

  nextIds(key: string, count: number): Promise<number[]> {
    return this.of(key).take(count);
  }

  /** DynamoDB writes made so far (all keys). */
  get writes(): number {
    let n = 0;
    for (const a of this.keys.values()) n += a.writes;
    return n;
  }
}

export const ID_KEY_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
