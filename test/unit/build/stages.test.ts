import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadService, PLACEHOLDER_IMAGE, type ServiceConfig } from '../../../infra/local/service.js';

// Both stages resolved by osls itself (`osls print`, offline), the way deploy and `npm start` read them.
let local: ServiceConfig;
let dev: ServiceConfig;

beforeAll(async () => {
  [local, dev] = await Promise.all([loadService('local'), loadService('dev', { imageUri: PLACEHOLDER_IMAGE })]);
}, 90_000);

describe('plugins per stage (serverless.yml custom.plugins)', () => {
  it('an AWS stage bundles with serverless-esbuild', () => {
    expect(dev.plugins).toContain('serverless-esbuild');
    expect(dev.plugins).toContain('serverless-iam-roles-per-function');
  });

  it('the local stage does not load serverless-esbuild (serverless-offline runs dist/)', () => {
    expect(local.plugins).not.toContain('serverless-esbuild');
    expect(local.plugins).toContain('serverless-offline');
  });
});

describe('console resources (infra/resources/console.yml)', () => {
  const res = (id: string) => {
    const r = dev.resources.Resources[id];
    if (!r) throw new Error(`no resource ${id}`);
    return r.Properties as Record<string, any>;
  };

  it('the bucket is private and encrypted', () => {
    expect(dev.resources.Resources.ConsoleBucket?.Type).toBe('AWS::S3::Bucket');
    const b = res('ConsoleBucket');
    expect(b.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(b.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBeTruthy();
    expect(b.AccessControl).toBeUndefined();
    expect(b.WebsiteConfiguration).toBeUndefined();
  });

  it('CloudFront reads it through Origin Access Control, HTTPS only, with the SPA fallback', () => {
    expect(dev.resources.Resources.ConsoleOriginAccessControl?.Type).toBe('AWS::CloudFront::OriginAccessControl');
    expect(res('ConsoleOriginAccessControl').OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' });
    const d = res('ConsoleDistribution').DistributionConfig;
    expect(d.DefaultRootObject).toBe('index.html');
    expect(d.Origins).toHaveLength(1);
    expect(d.Origins[0].DomainName).toEqual({ 'Fn::GetAtt': ['ConsoleBucket', 'RegionalDomainName'] });
    expect(d.Origins[0].OriginAccessControlId).toEqual({ 'Fn::GetAtt': ['ConsoleOriginAccessControl', 'Id'] });
    expect(d.Origins[0].S3OriginConfig.OriginAccessIdentity).toBe(''); // OAC, not the legacy OAI
    expect(d.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(d.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    const fallback = Object.fromEntries(d.CustomErrorResponses.map((e: { ErrorCode: number }) => [e.ErrorCode, e]));
    for (const code of [403, 404]) expect(fallback[code]).toMatchObject({ ResponseCode: 200, ResponsePagePath: '/index.html' });
  });

  it('the bucket policy lets only that distribution read, and nothing else in', () => {
    const p = res('ConsoleBucketPolicy');
    expect(p.Bucket).toEqual({ Ref: 'ConsoleBucket' });
    const statements = p.PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    const [s] = statements;
    expect(s).toMatchObject({ Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' });
    const sourceArn = s.Condition.StringEquals['AWS:SourceArn']['Fn::Sub'];
    expect(sourceArn).toBe('arn:aws:cloudfront::${AWS::AccountId}:distribution/${ConsoleDistribution}');
  });

  it('outputs the console URL and bucket for console:deploy', () => {
    expect(Object.keys(dev.resources.Outputs ?? {})).toEqual(expect.arrayContaining(['ConsoleUrl', 'ConsoleBucket']));
  });

  it('the media buckets let the console origin PUT parts and read their ETag', () => {
    for (const id of ['MediaBucketG1', 'MediaBucketG2']) {
      const rules = res(id).CorsConfiguration.CorsRules as Array<Record<string, string[]>>;
      expect(rules.some((r) => r.AllowedMethods!.includes('PUT') && r.ExposedHeaders!.includes('ETag')
        && (r.AllowedOrigins!.includes('*') || r.AllowedOrigins!.some((o) => o.includes('Console'))))).toBe(true);
    }
  });
});

describe('image functions (functions/*/*.image.yml through infra/image-functions.cjs)', () => {
  const IMAGE_FUNCTIONS = ['photosAnalyse', 'clipsInference', 'searchExtract', 'searchQuery', 'searchWorker', 'searchCheckpoint'];

  it('are container images on an AWS stage, the handler becoming the image command', () => {
    for (const key of IMAGE_FUNCTIONS) {
      const fn = dev.functions[key]!;
      expect(fn.handler, key).toBeUndefined();
      expect(fn.image, key).toEqual({ uri: PLACEHOLDER_IMAGE, command: [local.functions[key]!.handler] });
    }
    expect(dev.functions.photosAnalyse!.image).toEqual({ uri: PLACEHOLDER_IMAGE, command: ['dist/functions/photos/analyse.handler'] });
  });

  it('are zip functions with the same definition on the local stage', () => {
    for (const key of IMAGE_FUNCTIONS) {
      const { image: _, ...aws } = dev.functions[key]!;
      const { handler, ...zip } = local.functions[key]!;
      expect(handler, key).toMatch(/^dist\/functions\/\w+\/[\w-]+\.handler$/);
      expect(local.functions[key]!.image, key).toBeUndefined();
      // The same function apart from packaging (names and stage settings differ by stage).
      expect(Object.keys(zip).sort(), key).toEqual(Object.keys(aws).sort());
      expect(Object.keys(zip.environment ?? {}), key).toEqual(Object.keys(aws.environment ?? {}));
      expect(zip.iamRoleStatements?.length, key).toBe(aws.iamRoleStatements?.length);
    }
  });
});

describe('media storage groups (custom.mediaGroups through infra/resources/media-groups.cjs)', () => {
  it('each group gets a bucket, the media functions IAM on it and a MEDIA_GROUPS entry', () => {
    expect(dev.custom.mediaGroups).toEqual(['g1', 'g2']);
    const buckets = dev.custom.mediaGroupBuckets as Record<string, string>;
    expect(buckets).toEqual({ g1: 'panoptes-dev-media-g1', g2: 'panoptes-dev-media-g2' });
    expect(dev.resources.Resources.MediaBucketG1?.Properties?.BucketName).toBe('panoptes-dev-media-g1');
    expect(dev.resources.Resources.MediaBucketG2?.Properties?.BucketName).toBe('panoptes-dev-media-g2');
    expect(dev.functions.mediaCreateUpload!.environment!.MEDIA_GROUPS).toBe('g1 panoptes-dev-media-g1, g2 panoptes-dev-media-g2');
    const put = dev.functions.mediaCreateUpload!.iamRoleStatements!.find((s) => s.Action.includes('s3:PutObject'))!;
    expect(put.Resource).toEqual(['arn:aws:s3:::panoptes-dev-media-g1/*', 'arn:aws:s3:::panoptes-dev-media-g2/*']);
  });
});

describe('data of tables and buckets (params.dataPolicy)', () => {
  const stateful = (svc: ServiceConfig) =>
    Object.entries(svc.resources.Resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table' || r.Type === 'AWS::S3::Bucket');
  const policies = (svc: ServiceConfig) =>
    Object.fromEntries(stateful(svc).map(([id, r]) => [id, `${String(r.DeletionPolicy)}/${String(r.UpdateReplacePolicy)}`]));

  it('a development stage deletes them with the stack', () => {
    const p = policies(dev);
    expect(Object.keys(p).length).toBeGreaterThanOrEqual(26); // every table and bucket, media groups included
    expect(p.MediaBucketG1).toBe('Delete/Delete');
    expect(new Set(Object.values(p))).toEqual(new Set(['Delete/Delete']));
  });

  it('a stage with dataPolicy Retain keeps every one, and prod is such a stage', async () => {
    // prod itself does not resolve offline (its API keys come from SSM), so its param is read from the file.
    const file = parse(readFileSync(resolve(import.meta.dirname, '../../../serverless.yml'), 'utf8')) as { params: Record<string, Record<string, unknown>> };
    expect(file.params.prod!.dataPolicy).toBe('Retain');
    expect(file.params.default!.dataPolicy).toBe('Delete');
    const kept = await loadService('dev', { imageUri: PLACEHOLDER_IMAGE, dataPolicy: 'Retain' });
    expect(Object.keys(policies(kept)).sort()).toEqual(Object.keys(policies(dev)).sort());
    expect(new Set(Object.values(policies(kept)))).toEqual(new Set(['Retain/Retain']));
  }, 90_000);
});
