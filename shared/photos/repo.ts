import {
  GetCommand,
  paginateQuery,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ddb } from '../platform/aws.js';
import { photoPk, type Detection, type Outcome, type PhotoRecord, type Stage } from './records.js';
import type { PhotoInput } from './intake.js';
import type { PendingItem } from './policy.js';
import { iso } from '../platform/time.js';
import { isConditionFailure } from '../platform/dynamo.js';

/**
 * DynamoDB access for photo records. Every stage transition is a conditional update on `stage`, so
 * transitions only move forward and a redelivered message cannot redo a stage.
 */
export const PENDING_INDEX = 'pending';
export const CAMERA_INDEX = 'byCamera';
/** Sparse: photos with a region count (`regionCameraCode` = cameraCode, set with numInRegion). */
export const CAMERA_REGION_INDEX = 'byCameraRegion';
/** Sparse: ended records only (`outcome` = done | failed, set by the update that ends the record). */
export const OUTCOME_INDEX = 'outcome';

export class PhotoRepo {
  constructor(readonly table: string, private readonly db: DynamoDBDocumentClient = ddb()) {}

  async get(id: number): Promise<PhotoRecord | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: photoPk(id) }, ConsistentRead: true }));
    return r.Item as PhotoRecord | undefined;
  }

  /**
   * Creates the record and its dedup item in one transaction. When the triple was seen before, returns
   * the existing id instead (`created: false`); the id allocated for this call is then simply unused.
   */
  async create(input: PhotoInput, id: number, now: number): Promise<{ id: number; created: boolean }> {
    const record: PhotoRecord = {
      pk: photoPk(id),
      id,
      cameraCode: input.cameraCode,
      photoUrl: input.photoUrl,
      callTime: input.callTime,
      callTimeIso: iso(input.callTime),
      createdAt: iso(now),
      stage: 'download',
      pendingStage: 'download',
      touchedAt: now,
      downloaded: false,
      analysed: false,
      reported: false,
      attempts: { download: 0, analyse: 0, report: 0 },
      lastError: {},
      redrives: 0,
    };
    // Two requests for the same new triple at once: DynamoDB cancels one with TransactionConflict;
    // by the next try the winner has committed and the loser finds its id.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.send(new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: { pk: input.dedupKey, id, createdAt: iso(now) }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.table, Item: record, ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }));
        return { id, created: true };
      } catch (err) {
        if ((err as Error).name !== 'TransactionCanceledException') throw err;
        const codes = ((err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? []).map((r) => r.Code);
        if (codes.includes('TransactionConflict') && attempt < 4) {
          await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 20));
          continue;
        }
        if (codes[0] !== 'ConditionalCheckFailed') throw err;
        // The triple was seen before: answer with its id.
        const existing = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: input.dedupKey }, ConsistentRead: true }));
        const prior = existing.Item?.id;
        if (typeof prior !== 'number') throw new Error(`dedup item ${input.dedupKey} has no id`, { cause: err });
        return { id: prior, created: false };
      }
    }
  }

  /** download → analyse. Returns false when the record was no longer waiting for its download. */
  async markDownloaded(id: number, f: { bucket: string; key: string; contentType: string; bytes: number }, now: number): Promise<boolean> {
    const values = { ':true': true, ':at': iso(now), ':b': f.bucket, ':k': f.key, ':ct': f.contentType, ':n': f.bytes, ':one': 1 };
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: { pk: photoPk(id) },
        UpdateExpression:
          'SET downloaded = :true, downloadedAt = :at, s3Bucket = :b, s3Key = :k, contentType = :ct, bytes = :n, ' +
          '#stage = :analyse, pendingStage = :analyse, touchedAt = :now, attempts.download = attempts.download + :one',
        ConditionExpression: '#stage = :download',
        ExpressionAttributeNames: { '#stage': 'stage' },
        ExpressionAttributeValues: { ...values, ':now': now, ':analyse': 'analyse', ':download': 'download' },
      }));
      return true;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    // Analysed already (a callback, or the S3 event beat us): record the download, keep the stage.
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: { pk: photoPk(id) },
        UpdateExpression: 'SET downloaded = :true, downloadedAt = :at, s3Bucket = :b, s3Key = :k, contentType = :ct, bytes = :n, attempts.download = attempts.download + :one',
        ConditionExpression: 'attribute_exists(pk) AND downloaded = :false',
        ExpressionAttributeValues: { ...values, ':false': false },
      }));
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    return false;
  }

  /**
   * (download | analyse) → report with the result. 'updated' when this call made the transition,
   * 'exists' when the record is past it (or failed), 'missing' for an unknown id.
   */
  async markAnalysed(
    id: number,
    r: { numOfPeople: number; numInRegion?: number; detections?: Detection[]; model?: string; licence?: string; inferenceMs?: number; by: 'detector' | 'callback' },
    now: number,
  ): Promise<'updated' | 'exists' | 'missing'> {
    const sets = [
      'analysed = :true', 'analysedAt = :at', 'numOfPeople = :n', 'analysedBy = :by',
      '#stage = :report', 'pendingStage = :report', 'touchedAt = :now', 'attempts.analyse = attempts.analyse + :one',
    ];
    const values: Record<string, unknown> = {
      ':true': true, ':at': iso(now), ':n': r.numOfPeople, ':by': r.by, ':report': 'report', ':now': now, ':one': 1,
      ':download': 'download', ':analyse': 'analyse',
    };
    const optional: Array<[string, string, unknown]> = [
      ['detections', ':d', r.detections],
      ['model', ':m', r.model],
      ['licence', ':lic', r.licence],
      ['numInRegion', ':nr', r.numInRegion],
      ['inferenceMs', ':ms', r.inferenceMs === undefined ? undefined : Math.round(r.inferenceMs)],
    ];
    for (const [name, placeholder, value] of optional) {
      if (value === undefined || value === '') continue;
      sets.push(`${name} = ${placeholder}`);
      values[placeholder] = value;
    }
    // Puts the photo in the sparse region index (counts?region=true).
    if (r.numInRegion !== undefined) sets.push('regionCameraCode = cameraCode');
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: { pk: photoPk(id) },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk) AND #stage IN (:download, :analyse)',
        ExpressionAttributeNames: { '#stage': 'stage' },
        ExpressionAttributeValues: values,
      }));
      return 'updated';
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return (await this.get(id)) ? 'exists' : 'missing';
    }
  }

  /** report (or failed at report, e.g. after a DLQ re-drive) → done; a failed one leaves the failed count. */
  async markReported(id: number, now: number): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: { pk: photoPk(id) },
        UpdateExpression: 'SET reported = :true, reportedAt = :at, #stage = :done, outcome = :done, touchedAt = :now, attempts.#report = attempts.#report + :one REMOVE pendingStage, failedStage, failReason, failedAt',
        ConditionExpression: '#stage = :report OR (#stage = :failed AND failedStage = :report)',
        ExpressionAttributeNames: { '#stage': 'stage', '#report': 'report' },
        ExpressionAttributeValues: { ':true': true, ':at': iso(now), ':done': 'done', ':now': now, ':one': 1, ':report': 'report', ':failed': 'failed' },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Stops the record at `stage` with a reason; no-op (false) when it has moved on. */
  async markFailed(id: number, stage: Stage, reason: string, now: number, countAttempt = true): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: { pk: photoPk(id) },
        UpdateExpression:
          `SET #stage = :failed, outcome = :failed, failedStage = :s, failReason = :r, failedAt = :at, touchedAt = :now, lastError.#s = :r${countAttempt ? ', attempts.#s = attempts.#s + :one' : ''} REMOVE pendingStage`,
        ConditionExpression: '#stage = :s',
        ExpressionAttributeNames: { '#stage': 'stage', '#s': stage },
        ExpressionAttributeValues: { ':failed': 'failed', ':s': stage, ':r': reason.slice(0, 1000), ':at': iso(now), ':now': now, ...(countAttempt ? { ':one': 1 } : {}) },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** A failed attempt that will be retried: count it and keep the reason. */
  async recordAttempt(id: number, stage: Stage, error: string, now: number): Promise<void> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: { pk: photoPk(id) },
        UpdateExpression: 'SET attempts.#s = attempts.#s + :one, lastError.#s = :e, touchedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#s': stage },
        ExpressionAttributeValues: { ':one': 1, ':e': error.slice(0, 1000), ':now': now },
      }));
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  /** The sweeper's re-drive: counted, and the record is "touched" so it is not re-driven again at once. */
  async markRedriven(id: number, stage: Stage, now: number): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: { pk: photoPk(id) },
        UpdateExpression: 'SET redrives = if_not_exists(redrives, :zero) + :one, touchedAt = :now',
        ConditionExpression: '#stage = :s',
        ExpressionAttributeNames: { '#stage': 'stage' },
        ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':now': now, ':s': stage },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /**
   * Records pending at `stage` with callTime in [from, to] (the sparse `pending` GSI); with
   * `untouchedSince`, only those with no activity since then (filtered server-side).
   */
  async *pending(stage: Stage, from: number, to: number, untouchedSince?: number): AsyncGenerator<PendingItem> {
    for await (const r of paginateQuery({ client: this.db }, {
      TableName: this.table,
      IndexName: PENDING_INDEX,
      KeyConditionExpression: 'pendingStage = :s AND callTime BETWEEN :from AND :to',
      ...(untouchedSince !== undefined ? { FilterExpression: 'touchedAt <= :t' } : {}),
      ExpressionAttributeValues: { ':s': stage, ':from': from, ':to': to, ...(untouchedSince !== undefined ? { ':t': untouchedSince } : {}) },
    })) {
      for (const it of r.Items ?? []) {
        yield { id: Number(it.id), stage, touchedAt: Number(it.touchedAt), redrives: Number(it.redrives ?? 0) };
      }
    }
  }

  /** How many records wait at `stage` with callTime in [from, to] (the `pending` GSI). */
  countPending(stage: Stage, from: number, to: number): Promise<number> {
    return this.count(PENDING_INDEX, 'pendingStage', stage, from, to);
  }

  /** How many records ended as `outcome` with callTime in [from, to] (the `outcome` GSI). */
  countOutcome(outcome: Outcome, from: number, to: number): Promise<number> {
    return this.count(OUTCOME_INDEX, 'outcome', outcome, from, to);
  }

  /** Select COUNT, paged: DynamoDB counts at most 1 MB of index entries per page. */
  private async count(index: string, key: string, value: string, from: number, to: number): Promise<number> {
    let n = 0;
    for await (const r of paginateQuery({ client: this.db }, {
      TableName: this.table,
      IndexName: index,
      KeyConditionExpression: '#k = :v AND callTime BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#k': key },
      ExpressionAttributeValues: { ':v': value, ':from': from, ':to': to },
      Select: 'COUNT',
    })) {
      n += r.Count ?? 0;
    }
    return n;
  }

  /** Analysed photos of one camera with callTime in [from, to) (the `byCamera` GSI). */
  async counts(cameraCode: string, from: number, to: number): Promise<Array<{ callTime: number; numOfPeople: number }>> {
    const out: Array<{ callTime: number; numOfPeople: number }> = [];
    for await (const r of paginateQuery({ client: this.db }, {
      TableName: this.table,
      IndexName: CAMERA_INDEX,
      KeyConditionExpression: 'cameraCode = :c AND callTime BETWEEN :from AND :to',
      FilterExpression: 'attribute_exists(numOfPeople)',
      ProjectionExpression: 'callTime, numOfPeople',
      ExpressionAttributeValues: { ':c': cameraCode, ':from': from, ':to': to - 1 },
    })) {
      for (const it of r.Items ?? []) out.push({ callTime: Number(it.callTime), numOfPeople: Number(it.numOfPeople) });
    }
    return out;
  }

  /** Photos of one camera counted with a countRegion, callTime in [from, to) (the sparse `byCameraRegion` GSI). */
  async regionCounts(cameraCode: string, from: number, to: number): Promise<Array<{ callTime: number; numInRegion: number }>> {
    const out: Array<{ callTime: number; numInRegion: number }> = [];
    for await (const r of paginateQuery({ client: this.db }, {
      TableName: this.table,
      IndexName: CAMERA_REGION_INDEX,
      KeyConditionExpression: 'regionCameraCode = :c AND callTime BETWEEN :from AND :to',
      FilterExpression: 'attribute_exists(numInRegion)',
      ProjectionExpression: 'callTime, numInRegion',
      ExpressionAttributeValues: { ':c': cameraCode, ':from': from, ':to': to - 1 },
    })) {
      for (const it of r.Items ?? []) out.push({ callTime: Number(it.callTime), numInRegion: Number(it.numInRegion) });
    }
    return out;
  }

}
