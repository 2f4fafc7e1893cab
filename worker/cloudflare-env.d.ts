// Tells the Workers types what this worker exports and binds, so `env` and `exports` are typed.
// (An `extends` clause takes a name, not an `import()` type: hence the alias.)
type DocaWorkerBindings = import('./env').Bindings;

declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('./index');
  }
  interface Env extends DocaWorkerBindings {}
}
