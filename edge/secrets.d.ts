// Worker secrets (wrangler secret put …), which `wrangler types` cannot see: added to the
// generated Env so handlers, tests (`cloudflare:test` env) and helpers share one type.
declare namespace Cloudflare {
  interface Env {
    TOKEN_SECRET: string;
    USER_SALT: string;
    S3_ACCESS_KEY_ID?: string;
    S3_SECRET_ACCESS_KEY?: string;
    BATCH_TRIGGER_TOKEN?: string;
    /** When set, `/v1/slate` serves only user ids signed by the site (see shared/crypto/user-assertion.ts). */
    USER_ASSERTION_SECRET?: string;
  }
}
