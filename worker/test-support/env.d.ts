// Bindings only the tests have.
type DocaTestMigrations = import('cloudflare:test').D1Migration[];

declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: DocaTestMigrations;
  }
}
