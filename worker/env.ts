// The worker's bindings, as declared in wrangler.toml.
export interface Bindings {
  /** The built site (dist/), served for every path that is not an API route. */
  ASSETS: Fetcher;
}

export type AppEnv = { Bindings: Bindings };
