// The media store's storage groups, one list (custom.mediaGroups, per stage in
// functions/media/stages.yml) → everything a group needs: its bucket resource, the IAM resource lists
// of the media functions, the MEDIA_GROUPS value the functions seed the groups table from, and the
// bucket names for tests. Adding a group is one edit of that list. CommonJS because osls `require`s
// a JS variable file (the project is ESM).
'use strict';

const NAME = /^[a-z0-9][a-z0-9-]{0,19}$/;

module.exports = async ({ resolveVariable }) => {
  const prefix = await resolveVariable('self:custom.prefix');
  const groups = await resolveVariable('self:custom.mediaGroups');
  const dataPolicy = await resolveVariable('param:dataPolicy');
  if (!Array.isArray(groups) || !groups.length) throw new Error('custom.mediaGroups must list at least one storage group');
  for (const g of groups) if (!NAME.test(String(g))) throw new Error(`storage group "${g}": lower-case letters, digits and dashes, at most 20 (it names a bucket)`);
  if (new Set(groups).size !== groups.length) throw new Error('custom.mediaGroups lists a group twice');
  const bucket = (g) => `${prefix}-media-${g}`;
  // MediaBucketG1 for g1: the logical ids the stack has always had, so a deploy keeps the buckets.
  const logicalId = (g) => `MediaBucket${g.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('')}`;
  return {
    buckets: Object.fromEntries(groups.map((g) => [g, bucket(g)])),
    env: groups.map((g) => `${g} ${bucket(g)}`).join(', '),
    objectArns: groups.map((g) => `arn:aws:s3:::${bucket(g)}/*`),
    bucketArns: groups.map((g) => `arn:aws:s3:::${bucket(g)}`),
    // One bucket per group. Abandoned multipart uploads are aborted by the lifecycle rule; objects of
    // abandoned single uploads are removed by the sweep (a lifecycle rule cannot tell them apart).
    resources: {
      Resources: Object.fromEntries(groups.map((g) => [logicalId(g), {
        Type: 'AWS::S3::Bucket',
        DeletionPolicy: dataPolicy,
        UpdateReplacePolicy: dataPolicy,
        Properties: {
          BucketName: bucket(g),
          LifecycleConfiguration: {
            Rules: [{ Id: 'abort-incomplete-uploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } }],
          },
          CorsConfiguration: {
            CorsRules: [{
              AllowedMethods: ['GET', 'PUT', 'HEAD'],
              AllowedOrigins: ['*'],
              AllowedHeaders: ['*'],
              ExposedHeaders: ['ETag', 'Content-Range', 'Content-Length'],
              MaxAge: 3600,
            }],
          },
        },
      }])),
    },
  };
};
