// Mistakes more than one lab recognizes, worded once: postgres started without its password, and a
// client that reaches host2's daemon without TLS.
import type { DiagnosisInput as Diagnosis } from './lab-definition.ts';

/** The postgres container stopped at once (status 1): it refuses to start without `POSTGRES_PASSWORD`. */
export const postgresWithoutPassword: Diagnosis = {
  reason: 'postgres-sem-senha',
  refines: ['container-stopped'],
  when: { kind: 'exited', host: 'host1', image: 'postgres', exitCode: 1 },
  message: {
    'pt-BR': 'O container do postgres parou logo ao iniciar: sem uma senha ele se recusa a rodar. Rode de novo com `-d` e `-e POSTGRES_PASSWORD=doca`.',
    en: 'The postgres container stopped right after starting: without a password it refuses to run. Run it again with `-d` and `-e POSTGRES_PASSWORD=doca`.',
  },
};

/**
 * host1's client reached host2's daemon port without `--tls…` and failed: that port only speaks TLS.
 * `refines` names the reasons the step's check gives while host2's daemon has heard nothing.
 */
export function remoteWithoutTLS(refines: NonNullable<Diagnosis['refines']>, example: string): Diagnosis {
  return {
    reason: 'sem-tls',
    refines,
    when: { kind: 'command', host: 'host1', command: '(?!.*--tls)docker\\s.*tcp://host2:2376.*', example, failed: true },
    message: {
      'pt-BR': 'O daemon do host2 só aceita TLS: sem `--tlsverify` o client fala HTTP puro e ouve "Client sent an HTTP request to an HTTPS server". Acrescente `--tlsverify`; o client prova quem é com os certificados de `~/.docker`.',
      en: 'host2\'s daemon only accepts TLS: without `--tlsverify` the client speaks plain HTTP and hears "Client sent an HTTP request to an HTTPS server". Add `--tlsverify`; the client proves who it is with the certificates in `~/.docker`.',
    },
  };
}
