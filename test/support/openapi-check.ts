import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;

interface MediaType {
  schema?: unknown;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  components?: { schemas?: Record<string, unknown> };
}

/** One answer of the real worker, to be checked against the document. */
export interface Observed {
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: string;
}

/**
 * Checks real answers against an OpenAPI 3.1 document: the operation and status must be documented
 * (or `default`), the media type must be one the response declares, and the body must validate
 * against its schema (JSON Schema 2020-12, `$ref`s into `components` resolved by ajv).
 */
export class OpenApiChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();

  private readonly doc: OpenApiDoc;

  /** @param document an OpenAPI 3.1 document (as parsed JSON) */
  constructor(document: unknown) {
    const doc = document as OpenApiDoc;
    this.doc = doc;
    addFormats(this.ajv);
    // The document itself, so `#/components/schemas/X` references resolve inside it.
    this.ajv.addSchema({ $id: 'openapi.json', components: doc.components ?? {} });
  }

  /**
   * Checks a value against a component schema (for answers no operation lists, such as the 404
   * of an unknown route).
   * @returns problems found
   */
  checkComponent(name: string, value: unknown): string[] {
    const validate = this.ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` });
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${name}: ${e.instancePath || '(root)'} ${e.message}`);
  }

  /** @returns problems found, empty when the answer matches the document */
  check(o: Observed): string[] {
    const op = this.doc.paths[o.path]?.[o.method.toLowerCase()];
    const where = `${o.method} ${o.path} → ${o.status}`;
    if (!op) return [`${where}: operation not in the document`];
    const response = op.responses[String(o.status)] ?? op.responses.default;
    if (!response) return [`${where}: status not documented (documented: ${Object.keys(op.responses).join(', ')})`];
    const media = o.contentType.split(';')[0]!.trim();
    const declared = response.content?.[media];
    if (!declared) return [`${where}: content-type ${media} not documented (documented: ${Object.keys(response.content ?? {}).join(', ') || 'none'})`];
    if (declared.schema === undefined) return [];
    const key = `${o.path} ${o.method} ${o.status} ${media}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(rebase(declared.schema) as object);
      this.compiled.set(key, validate);
    }
    let value: unknown = o.body;
    if (media === 'application/json') {
      try {
        value = JSON.parse(o.body);
      } catch {
        return [`${where}: body is not JSON: ${o.body.slice(0, 100)}`];
      }
    }
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${where}: ${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`);
  }
}

/** Points `#/components/...` references at the document registered as `openapi.json`. */
function rebase(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/'));
}
