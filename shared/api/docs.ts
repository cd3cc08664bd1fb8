import * as z from 'zod';
import { route } from './route.js';

export const openapi = route({
  method: 'GET', url: '/openapi.json', operationId: 'getOpenApi', tag: 'docs', auth: 'none',
  summary: 'This OpenAPI 3.1 document',
  responses: { 200: { description: 'the document', schema: z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }) } },
});

export const docs = route({
  method: 'GET', url: '/docs', operationId: 'getDocs', tag: 'docs', auth: 'none',
  summary: 'The API reference, readable (Redoc, served from here: no CDN)',
  responses: { 200: { description: 'the reference page', contentType: 'text/html' } },
});

export const docsAsset = route({
  method: 'GET', url: '/docs/redoc.js', operationId: 'getDocsScript', tag: 'docs', auth: 'none',
  summary: "The reference page's script (Redoc's standalone bundle, MIT)",
  responses: { 200: { description: 'the script (gzip)', contentType: 'text/javascript' } },
});
