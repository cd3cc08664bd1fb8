/**
 * Features table: one record per (image key, model) holding the faces, boxes and embeddings found in the
 * image's current content. The record doubles as the extraction lease: every write is conditional on
 * the revision the writer read, so two workers can never both own one image's content (see pipeline.ts).
 */
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { FaceMeta, FeatureRecord, ObjectVersion } from './records.js';
import { isConditionFailure } from '../platform/dynamo.js';

/** Someone else wrote the record since we read it: re-read and decide again. */
export class LostRaceError extends Error {
  constructor(imageKey: string, step: string) {
    super(`features record of ${imageKey} changed under us (${step})`);
    this.name = 'LostRaceError';
  }
}

export class FeaturesRepo {
  constructor(private readonly table: string, private readonly ddb: DynamoDBDocumentClient) {}

  async get(imageKey: string, model: string): Promise<FeatureRecord | undefined> {
    const r = await this.ddb.send(new GetCommand({ TableName: this.table, Key: { imageKey, model }, ConsistentRead: true }));
    return r.Item as FeatureRecord | undefined;
  }

  /** Every model's record of one image. */
  async forImage(imageKey: string): Promise<FeatureRecord[]> {
    const r = await this.ddb.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: 'imageKey = :k',
      ExpressionAttributeValues: { ':k': imageKey },
      ConsistentRead: true,
    }));
    return (r.Items ?? []) as FeatureRecord[];
  }

  /** Boxes and state of many images (no embeddings), for decorating search hits. */
  async facesOf(imageKeys: string[], model: string): Promise<Map<string, Pick<FeatureRecord, 'imageKey' | 'status' | 'faces'>>> {
    const out = new Map<string, Pick<FeatureRecord, 'imageKey' | 'status' | 'faces'>>();
    const unique = [...new Set(imageKeys)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + 100).map((imageKey) => ({ imageKey, model }));
      for (let attempt = 0; keys?.length; attempt++) {
        if (attempt) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
        if (attempt > 8) throw new Error('features: BatchGet kept returning unprocessed keys');
        const r: { Responses?: Record<string, Record<string, unknown>[]>; UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }> } =
          await this.ddb.send(new BatchGetCommand({
            RequestItems: { [this.table]: { Keys: keys, ProjectionExpression: 'imageKey, #s, faces', ExpressionAttributeNames: { '#s': 'status' } } },
          }));
        for (const item of r.Responses?.[this.table] ?? []) out.set(String(item.imageKey), item as never);
        keys = r.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return out;
  }

  /**
   * Takes the lease on an image's content, conditional on the record being as we read it (`prev`).
   * `extract`: new content, or a takeover of an extraction whose worker died. `index`: takeover of
   * an interrupted indexing (the embeddings are stored already).
   */
  async claim(
    imageKey: string,
    model: string,
    prev: FeatureRecord | undefined,
    c: { mode: 'extract' | 'index'; obj: ObjectVersion; owner: string; leaseUntil: number; now: number },
  ): Promise<FeatureRecord> {
    const rev = (prev?.rev ?? 0) + 1;
    const sameContent = prev?.etag === c.obj.etag;
    // Index entries earlier content may have left (ids beyond the new face count are removed after indexing).
    const staleFaces = Math.max(prev?.staleFaces ?? 0, prev?.faces?.length ?? 0);
    const values: Record<string, unknown> = {
      ':rev': rev,
      ':owner': c.owner,
      ':lease': c.leaseUntil,
      ':now': c.now,
    };
    const sets = ['rev = :rev', '#owner = :owner', 'leaseUntil = :lease', 'updatedAt = :now'];
    if (c.mode === 'extract') {
      Object.assign(values, { ':status': 'extracting', ':etag': c.obj.etag, ':mod': c.obj.lastModified, ':stale': staleFaces, ':one': 1 });
      sets.push('#status = :status', 'etag = :etag', 'sourceModified = :mod', 'staleFaces = :stale');
      if (sameContent) values[':zero'] = 0;
      sets.push(sameContent ? 'extractions = if_not_exists(extractions, :zero) + :one' : 'extractions = :one');
    }
    try {
      const r = await this.ddb.send(new UpdateCommand({
        TableName: this.table,
        Key: { imageKey, model },
        UpdateExpression: `SET ${sets.join(', ')}${c.mode === 'extract' ? ' REMOVE reason' : ''}`,
        ConditionExpression: prev ? 'rev = :prevRev' : 'attribute_not_exists(imageKey)',
        ExpressionAttributeNames: { '#owner': 'owner', ...(c.mode === 'extract' ? { '#status': 'status' } : {}) },
        ExpressionAttributeValues: { ...values, ...(prev ? { ':prevRev': prev.rev } : {}) },
        ReturnValues: 'ALL_NEW',
      }));
      return r.Attributes as FeatureRecord;
    } catch (err) {
      if (isConditionFailure(err)) throw new LostRaceError(imageKey, 'claim');
      throw err;
    }
  }

  /** Stores the model's output and moves to `indexing` (only while we still hold the lease). */
  async saveExtracted(
    rec: FeatureRecord,
    r: { faces: FaceMeta[]; embeddings: Uint8Array; dimension: number; width: number; height: number; ms: number; now: number },
  ): Promise<FeatureRecord> {
    return this.advance(rec, 'extracted', {
      set: {
        status: 'indexing',
        faces: r.faces,
        embeddings: r.embeddings,
        dimension: r.dimension,
        width: r.width,
        height: r.height,
        ms: Math.round(r.ms),
        extractedAt: r.now,
        updatedAt: r.now,
      },
    });
  }

  async markIndexed(rec: FeatureRecord, now: number, logVersion: number): Promise<FeatureRecord> {
    return this.advance(rec, 'indexed', {
      set: { status: 'indexed', indexedAt: now, updatedAt: now, logVersion },
      remove: ['owner', 'leaseUntil', 'staleFaces'],
    });
  }

  async markFailed(rec: FeatureRecord, reason: string, now: number): Promise<FeatureRecord> {
    return this.advance(rec, 'failed', {
      set: { status: 'failed', reason: reason.slice(0, 500), faces: [], updatedAt: now },
      remove: ['owner', 'leaseUntil', 'staleFaces', 'embeddings'],
    });
  }

  /** Deletes the record as read (`rec.rev`); false when it changed meanwhile. */
  async delete(rec: FeatureRecord): Promise<boolean> {
    try {
      await this.ddb.send(new DeleteCommand({
        TableName: this.table,
        Key: { imageKey: rec.imageKey, model: rec.model },
        ConditionExpression: 'rev = :rev',
        ExpressionAttributeValues: { ':rev': rec.rev },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  private async advance(rec: FeatureRecord, step: string, u: { set: Record<string, unknown>; remove?: string[] }): Promise<FeatureRecord> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':rev': rec.rev, ':next': rec.rev + 1 };
    const sets = ['rev = :next'];
    for (const [k, v] of Object.entries(u.set)) {
      names[`#${k}`] = k;
      values[`:${k}`] = v;
      sets.push(`#${k} = :${k}`);
    }
    for (const k of u.remove ?? []) names[`#${k}`] = k;
    try {
      const r = await this.ddb.send(new UpdateCommand({
        TableName: this.table,
        Key: { imageKey: rec.imageKey, model: rec.model },
        UpdateExpression: `SET ${sets.join(', ')}${u.remove?.length ? ` REMOVE ${u.remove.map((k) => `#${k}`).join(', ')}` : ''}`,
        ConditionExpression: 'rev = :rev',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }));
      return r.Attributes as FeatureRecord;
    } catch (err) {
      if (isConditionFailure(err)) throw new LostRaceError(rec.imageKey, step);
      throw err;
    }
  }
}
