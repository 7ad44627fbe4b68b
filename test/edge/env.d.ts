declare module 'cloudflare:test' {
  interface ProvidedEnv extends import('../../edge/env.js').AppEnv {}
}
