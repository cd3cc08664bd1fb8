import { loadService, PLACEHOLDER_IMAGE } from '../infra/local/service.js';

/**
 * The environment a deployed function runs with, resolved from serverless.yml for the stage
 * (STAGE, default local), so an operator command uses the functions' resource names from the one
 * place that defines them. Variables already set in this process win (a test's FTP_SERVERS, an
 * operator's override). CloudFormation references (an ARN by !GetAtt) are left out: the CLI needs names.
 */
export async function functionEnv(fn: string, env: NodeJS.ProcessEnv = process.env): Promise<NodeJS.ProcessEnv> {
  // The image URI only names the inference container; resolving an AWS stage needs some value for it.
  const svc = await loadService(env.STAGE ?? 'local', { imageUri: PLACEHOLDER_IMAGE });
  const def = svc.functions[fn];
  if (!def) throw new Error(`serverless.yml has no function ${fn}`);
  const plain = Object.entries({ ...svc.provider.environment, ...def.environment })
    .filter((e): e is [string, string | number] => typeof e[1] === 'string' || typeof e[1] === 'number')
    .map(([k, v]) => [k, String(v)]);
  return { ...Object.fromEntries(plain), ...env };
}
