/** A hold on the objects under a prefix: `requested` resolves at the first read of one. */
export interface Hold {
  requested: Promise<void>;
  /** Lets the held bodies flow. */
  release(): void;
}

/**
 * The real R2 bucket with the bodies of chosen objects held until the test releases them, so an
 * interleaving of concurrent requests happens on purpose rather than by luck of timing (as
 * test/support/fault-proxy.ts injects faults in front of a real S3 server). A held object's
 * `get` answers at once; its `body` (and `arrayBuffer()`) deliver nothing until the release, so
 * a reader can be stopped after it began, as a slow store would stop it.
 */
export function heldBucket(bucket: R2Bucket): { bucket: R2Bucket; hold(prefix: string): Hold } {
  const holds: Array<{ prefix: string; requested: () => void; released: Promise<void> }> = [];
  const held = new Proxy(bucket, {
    get(target, prop) {
      if (prop === 'get') {
        return async (key: string, options?: R2GetOptions) => {
          const o = await target.get(key, options);
          const h = holds.find((x) => key.startsWith(x.prefix));
          if (!o || !h) return o;
          h.requested();
          const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
          void h.released.then(() => o.body.pipeTo(writable));
          return new Proxy(o, {
            get(t, p) {
              if (p === 'body') return readable;
              if (p === 'arrayBuffer') return () => new Response(readable).arrayBuffer();
              const v: unknown = Reflect.get(t, p);
              return typeof v === 'function' ? v.bind(t) : v;
            },
          });
        };
      }
      const v: unknown = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return {
    bucket: held,
    hold(prefix) {
      let requested!: () => void;
      let release!: () => void;
      const r = new Promise<void>((res) => (requested = res));
      holds.push({ prefix, requested, released: new Promise<void>((res) => (release = res)) });
      return { requested: r, release };
    },
  };
}
