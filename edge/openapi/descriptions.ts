/**
 * Prose for the fields of the shared wire schemas, added to the generated document (the schemas
 * in `shared/schemas` carry doc comments for programmers, not `.meta()` for the API reference).
 * Keys are component names, then field paths: `items[].score` is `score` of an array's items,
 * `context.locale` a nested object's field. Only descriptions are added; types and constraints
 * stay exactly as zod-openapi generated them.
 */
export const FIELD_DESCRIPTIONS: Record<string, Record<string, string>> = {
  SlateRequest: {
    user_id: 'Your id for the user (any string). Never stored: only a salted hash is logged.',
    surface: 'Where the slate is shown (a surface of the serving policy, e.g. `home`); default: the policy\'s default surface.',
    k: 'Items in the slate; default the surface\'s `k_default`, at most its `k_max`.',
    context: 'What the request knows beyond the user.',
    'context.recent_item_ids': 'Items the user just interacted with (e.g. clicked), newest first: the session. A user with cached candidates gets them re-ranked with the taste of these items; a user without is ranked by base appeal plus that taste (the wasm step). The weight of the taste is fitted by the batch tier on logged requests that carried recent items, so send the same kind of items every time. Recent items may be served again; list what must not be in `exclude_item_ids`.',
    'context.exclude_item_ids': 'Items never to show (already seen, in the cart, out of stock); propensities are computed over what remains.',
    'context.locale': 'The user\'s locale, logged with the impression.',
  },
  SlateResponse: {
    schema: 'Wire format and version.',
    impression_id: 'Id of this impression; seeds the exploration, so the slate replays from it.',
    policy_version: 'The artifact version that served it.',
    surface: 'The surface served.',
    strategy: 'The exploration strategy and its parameters (e.g. `{ "name": "epsilon-greedy", "epsilon": 0.1 }`).',
    propensity_type: '`marginal_position`: each item\'s propensity is P(this item at this position).',
    propensity_method: '`exact` (closed form) or `monte_carlo` (replays; each item then has `propensity_se`).',
    effective_params: 'Parameters in force after decay or annealing, e.g. `{ "epsilon": 0.08 }`.',
    items: 'The slate, in display order.',
    'items[].item_id': 'Catalog id of the item.',
    'items[].position': '0-based display position.',
    'items[].score': 'The ranking score, or null for an item from the exploration pool.',
    'items[].propensity': 'Probability that this item was shown at this position under the procedure run.',
    'items[].explored': 'True when exploration (not the ranking) put the item here.',
    'items[].propensity_se': 'Standard error of a Monte-Carlo propensity.',
    slate_propensity: 'Probability of the whole slate as shown.',
    source: 'Which step of the scorer chain answered: `cache` (precomputed candidates), `wasm` (scored from recent items), `popularity`.',
    token: 'Signed over the impression, user and shown items; send it with every event for this slate (valid `TOKEN_TTL_S`).',
  },
  EventRequest: {
    token: 'The `token` of the slate the item was shown in.',
    item_id: 'The item the event is about; must be one the slate showed.',
    type: 'What happened.',
    value: 'Seconds for `dwell`, an amount for `purchase`.',
    event_id: 'Idempotence key within the impression: the same id is counted once (recorded as `<impression_id>:<event_id>`). Default `<impression_id>:<item_id>:<type>`. Retry with the same one.',
    ts: 'When it happened (ms since the epoch); default: when the edge received it.',
  },
};

/** Descriptions of `GET /v1/slate`'s query parameters: those of the same fields of SlateRequest. */
export const QUERY_DESCRIPTIONS: Record<string, string> = {
  user_id: FIELD_DESCRIPTIONS.SlateRequest!.user_id!,
  surface: FIELD_DESCRIPTIONS.SlateRequest!.surface!,
  k: 'Items in the slate, a decimal integer from 1 to 100; default the surface\'s `k_default`, at most its `k_max`.',
};

type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema; description?: string };

/**
 * Adds `descriptions` to a component schema, in place.
 * @throws Error naming a path the schema does not have (a renamed field must not lose its prose silently)
 */
export function describeFields(name: string, schema: JsonSchema, descriptions: Record<string, string>): void {
  for (const [path, text] of Object.entries(descriptions)) {
    let node: JsonSchema | undefined = schema;
    for (const part of path.split('.')) {
      const array = part.endsWith('[]');
      node = node?.properties?.[array ? part.slice(0, -2) : part];
      if (array) node = node?.items;
    }
    if (!node) throw new Error(`OpenAPI descriptions: ${name} has no field ${path}`);
    node.description = text;
  }
}
