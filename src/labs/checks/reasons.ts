// Why a step is not done yet: a reason code, the values seen and expected, and the message in each
// language. The check engine gives the code and the values; the page words them in its language.
// A lab can add reasons of its own (its diagnoses); these are the ones every condition can give.
import type { Condition } from './conditions.ts';

export type Locale = 'pt-BR' | 'en';
export type Localized = Record<Locale, string>;

export interface ReasonText extends Localized {
  /** The values the message names, as `{name}` placeholders. */
  values: readonly string[];
}

export const builtInReasons = {
  'not-pulled': {
    values: ['host', 'image'],
    'pt-BR': 'O daemon do {host} ainda não baixou a imagem `{image}` de um registry.',
    en: "{host}'s daemon has not pulled the image `{image}` from a registry yet.",
  },
  'not-pushed': {
    values: ['host', 'image'],
    'pt-BR': 'O daemon do {host} ainda não enviou `{image}` a um registry.',
    en: "{host}'s daemon has not pushed `{image}` to a registry yet.",
  },
  'not-started': {
    values: ['host', 'image'],
    'pt-BR': 'Nenhum container de `{image}` foi iniciado no {host} ainda.',
    en: 'No container of `{image}` has been started on {host} yet.',
  },
  'not-exited': {
    values: ['host', 'image'],
    'pt-BR': 'Nenhum container de `{image}` terminou com erro no {host}.',
    en: 'No container of `{image}` has exited with an error on {host}.',
  },
  'not-removed': {
    values: ['host', 'name'],
    'pt-BR': 'O container `{name}` ainda não foi removido do {host}.',
    en: 'The container `{name}` has not been removed from {host} yet.',
  },
  'volume-not-mounted': {
    values: ['host', 'volume'],
    'pt-BR': 'Nenhum container montou o volume `{volume}` no {host} ainda.',
    en: 'No container has mounted the volume `{volume}` on {host} yet.',
  },
  'volume-container-running': {
    values: ['host', 'volume'],
    'pt-BR': 'O container com o volume `{volume}` ainda está rodando no {host}: espere ele terminar.',
    en: 'The container with the volume `{volume}` is still running on {host}: wait for it to finish.',
  },
  'volume-container-failed': {
    values: ['host', 'volume', 'expected', 'seen'],
    'pt-BR': 'O container com o volume `{volume}` terminou com o código {seen} no {host}, e não {expected}: veja a mensagem no terminal.',
    en: 'The container with the volume `{volume}` exited with status {seen} on {host}, not {expected}: see its message in the terminal.',
  },
  'no-api-call': {
    values: ['host', 'method', 'path'],
    'pt-BR': 'O daemon do {host} ainda não recebeu um pedido `{method} {path}`.',
    en: "{host}'s daemon has not received a `{method} {path}` request yet.",
  },
  'no-hand-made-call': {
    values: ['host', 'method', 'path'],
    'pt-BR': 'O daemon do {host} ainda não recebeu um pedido `{method} {path}` feito à mão: o client `docker` põe a versão da API no caminho (`/v1.41{path}`), um pedido seu não.',
    en: "{host}'s daemon has not received a hand-made `{method} {path}` request yet: the `docker` client puts the API version in the path (`/v1.41{path}`), a request of your own does not.",
  },
  'daemon-not-restarted': {
    values: ['host'],
    'pt-BR': 'O daemon do {host} ainda não parou e voltou.',
    en: "{host}'s daemon has not stopped and come back yet.",
  },
  'command-not-run': {
    values: ['host', 'command'],
    'pt-BR': 'O terminal do {host} ainda não rodou `{command}`.',
    en: "{host}'s terminal has not run `{command}` yet.",
  },
  'command-failed': {
    values: ['host', 'command', 'exitCode'],
    'pt-BR': '`{command}` terminou com erro no {host} (código {exitCode}): veja a mensagem no terminal.',
    en: '`{command}` failed on {host} (exit status {exitCode}): see its message in the terminal.',
  },
  'image-missing': {
    values: ['host', 'image'],
    'pt-BR': 'A imagem `{image}` não está no {host}.',
    en: 'The image `{image}` is not on {host}.',
  },
  'no-container': {
    values: ['host', 'image'],
    'pt-BR': 'Não há container de `{image}` no {host}.',
    en: 'There is no container of `{image}` on {host}.',
  },
  'no-container-named': {
    values: ['host', 'image', 'name'],
    'pt-BR': 'Não há container `{name}` de `{image}` no {host}.',
    en: 'There is no container `{name}` of `{image}` on {host}.',
  },
  'network-missing': {
    values: ['host', 'name'],
    'pt-BR': 'Não há uma network `{name}` no {host}.',
    en: 'There is no network `{name}` on {host}.',
  },
  'volume-missing': {
    values: ['host', 'name'],
    'pt-BR': 'Não há um volume `{name}` no {host}.',
    en: 'There is no volume `{name}` on {host}.',
  },
  'container-stopped': {
    values: ['host', 'image', 'name', 'status'],
    'pt-BR': 'O container `{name}` (de `{image}`) existe no {host}, mas não está rodando: {status}.',
    en: 'The container `{name}` (of `{image}`) exists on {host} but is not running: {status}.',
  },
  'no-port-published': {
    values: ['host', 'name', 'expected'],
    'pt-BR': 'O container `{name}` do {host} não publica nenhuma porta; publique a {expected} com `-p`.',
    en: 'The container `{name}` on {host} publishes no port; publish port {expected} with `-p`.',
  },
  'port-not-published': {
    values: ['host', 'name', 'expected', 'seen'],
    'pt-BR': 'A porta {expected} não está publicada no {host}; o container `{name}` publica {seen}.',
    en: 'Port {expected} is not published on {host}; the container `{name}` publishes {seen}.',
  },
  'port-closed': {
    values: ['host', 'port'],
    'pt-BR': 'Nada responde na porta {port} do {host}.',
    en: 'Nothing answers on port {port} of {host}.',
  },
  'tag-missing': {
    values: ['host', 'port', 'repository', 'tag'],
    'pt-BR': 'O registry em {host}:{port} não tem `{repository}:{tag}`.',
    en: 'The registry at {host}:{port} does not hold `{repository}:{tag}`.',
  },
  'could-not-check': {
    values: ['host'],
    'pt-BR': 'Não deu para verificar o {host} agora (ele não respondeu a tempo); tentamos de novo no próximo comando.',
    en: 'Could not check {host} just now (it did not answer in time); it is checked again at your next command.',
  },
} as const satisfies Record<string, ReasonText>;

export type BuiltInReason = keyof typeof builtInReasons;

/** A reason as the engine gives it: a code (built in, or a lab's own diagnosis) and the values its message names. */
export interface Reason {
  code: string;
  values: Record<string, string>;
}

/** The built-in reasons each condition kind can give when it does not hold. */
export const reasonsOf: Record<Condition['kind'], readonly BuiltInReason[]> = {
  pulled: ['not-pulled'],
  pushed: ['not-pushed'],
  started: ['not-started'],
  exited: ['not-exited'],
  'container-removed': ['not-removed'],
  'volume-mounted': ['volume-not-mounted', 'volume-container-running', 'volume-container-failed'],
  'api-call': ['no-api-call', 'no-hand-made-call'],
  command: ['command-not-run', 'command-failed'],
  'daemon-restarted': ['daemon-not-restarted'],
  'image-present': ['image-missing', 'could-not-check'],
  'container-running': ['no-container', 'no-container-named', 'container-stopped', 'no-port-published', 'port-not-published', 'could-not-check'],
  'network-present': ['network-missing', 'could-not-check'],
  'volume-present': ['volume-missing', 'could-not-check'],
  'port-open': ['port-closed', 'could-not-check'],
  'registry-has': ['tag-missing', 'could-not-check'],
};

/** The `{name}` placeholders a message uses. */
export function placeholdersOf(message: string): string[] {
  return [...message.matchAll(/\{([A-Za-z]+)\}/g)].map((match) => match[1]);
}

/** A message with its values put in; a value it lacks stays as its placeholder (never an empty hole). */
export function fillMessage(message: string, values: Record<string, string>): string {
  return message.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) => values[name] ?? whole);
}
