// Tells the Workers types what this worker exports and binds, so `env` and `exports` are typed.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('./index');
  }
  interface Env extends import('./env').Bindings {}
}
