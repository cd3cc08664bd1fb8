import { Logger } from '@aws-lambda-powertools/logger';

/** One structured JSON logger per container; handlers add the request/correlation id. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'panoptes' });
