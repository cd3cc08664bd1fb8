/**
 * SNS topic ARN from its name (functions get names, not ARNs, through the environment). The account
 * comes from the function's own ARN; emulators (serverless-offline has no real ARN) use
 * AWS_ACCOUNT_ID or the emulators' 000000000000.
 */
export function topicArn(name: string, invokedFunctionArn: string | undefined, region = process.env.AWS_REGION ?? 'us-east-1'): string {
  const fromArn = invokedFunctionArn?.startsWith('arn:') ? invokedFunctionArn.split(':')[4] : undefined;
  const account = fromArn || process.env.AWS_ACCOUNT_ID || '000000000000';
  return `arn:aws:sns:${region}:${account}:${name}`;
}
