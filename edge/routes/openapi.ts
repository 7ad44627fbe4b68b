import { Hono } from 'hono';
import type { HonoEnv } from '../env.js';
import { createOpenApiDocument } from '../openapi/document.js';

/** `/openapi.json`: the API contract, generated from the zod schemas once per isolate. */
export const openapi = new Hono<HonoEnv>();

let cached: string | null = null;

openapi.get('/', (c) => {
  cached ??= JSON.stringify(createOpenApiDocument());
  return c.body(cached, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' });
});
