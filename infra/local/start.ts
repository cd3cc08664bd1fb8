import { parseArgs } from 'node:util';
import { startStack } from './stack.js';
import { startConsole } from './console.js';

/**
 * `npm start`: the whole system locally, no Docker, no account. Ctrl-C / SIGTERM stops everything,
 * DynamoDB Local's Java process included.
 */
const { values } = parseArgs({
  options: {
    persist: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const port = (name: string, def: number) => Number(process.env[name] ?? def);

const started = Date.now();
const stack = await startStack({
  dynamoPort: port('DYNAMODB_PORT', 8000),
  fauxqsPort: port('FAUXQS_PORT', 4566),
  httpPort: port('HTTP_PORT', 3000),
  lambdaPort: port('LAMBDA_PORT', 3002),
  ...(values.persist ? { persistDir: values.persist } : {}),
  verbose: values.verbose,
  log: (l) => console.log(l),
});
const web = await startConsole({ port: port('CONSOLE_PORT', 3100), apiUrl: stack.httpUrl, storageUrl: stack.awsEndpoint }).catch(async (err) => {
  await stack.stop();
  throw err;
});

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping panoptes…`);
  await web.stop();
  await stack.stop();
  console.log('stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

console.log(
  [
    `panoptes local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  Console     ${web.url}   (API key: local-dev-key)`,
    `  HTTP API    ${stack.httpUrl}   (GET ${stack.httpUrl}/health; write endpoints need x-api-key: local-dev-key)`,
    `  Lambda API  ${stack.lambdaUrl}`,
    `  S3/SQS/SNS  ${stack.awsEndpoint}   (fauxqs)`,
    `  DynamoDB    ${stack.dynamoEndpoint}   (DynamoDB Local${values.persist ? `, persisted in ${values.persist}` : ', in memory'})`,
    `  Point the AWS CLI/SDK here: AWS_ENDPOINT_URL=${stack.awsEndpoint} AWS_ENDPOINT_URL_DYNAMODB=${stack.dynamoEndpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1`,
  ].join('\n'),
);
