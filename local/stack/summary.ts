import { relative } from 'node:path';
import type { StackInfo } from './data-dir.js';
import { stackFiles } from './data-dir.js';

/**
 * What a newcomer needs once the stack is up: where everything answers, where data lives, and the
 * commands for the first catalog, slate and click.
 * @param cwd paths are shown relative to it
 */
export function stackSummary(info: StackInfo, o: { cwd: string; secretsCreated: boolean; every: string; serving: string | null }): string {
  const f = stackFiles(info.data_dir);
  const rel = (p: string) => {
    const r = relative(o.cwd, p);
    return r.startsWith('..') ? p : r || '.';
  };
  const env = rel(f.env);
  return `
slatecast is running (Ctrl-C stops it; data stays in ${rel(info.data_dir)}/)
  edge     ${info.edge}    GET /v1/slate · POST /v1/events · GET /healthz · GET /openapi.json
  batch    ${info.batch}    GET /status · POST /trigger (both: bearer BATCH_TRIGGER_TOKEN) · ${o.every === '0' ? 'retrains on trigger only' : `retrains every ${o.every}`}
  S3       ${info.s3}    bucket ${info.bucket}, objects in ${rel(f.s3)}/
  secrets  ${rel(f.secrets)}${o.secretsCreated ? ' (generated now)' : ''}; CLI settings in ${env}
  serving  ${o.serving ?? 'nothing yet: put a catalog and the first version is built at once'}

Put a catalog (NDJSON, one item a line: {"id":"a1","title":"…","tags":["…"],"created_at":"2026-01-01T00:00:00Z"}):
  set -a; . ${env}; set +a
  npx slatecast catalog put items.ndjson
Request a slate, then post a click with its token:
  curl '${info.edge}/v1/slate?user_id=u1&k=5'
  curl -X POST ${info.edge}/v1/events -H 'content-type: application/json' -d '{"token":"<token>","item_id":"<item_id>","type":"click"}'
Retrain now instead of waiting for the schedule:
  curl -X POST ${info.batch}/trigger -H "authorization: Bearer $BATCH_TRIGGER_TOKEN"
`;
}
