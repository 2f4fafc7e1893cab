import { describe, expect, it } from 'vitest';
import { keepClassPagesOutOfPagination, pointClassLinks, type SidebarEntry } from './sidebar-links';

const sidebar = (prefix: string): SidebarEntry[] => [
  { type: 'link', href: `${prefix}/`, isCurrent: false, attrs: {} },
  {
    type: 'group',
    entries: [
      { type: 'link', href: `${prefix}/turmas/nova/`, isCurrent: false, attrs: {} },
      { type: 'link', href: `${prefix}/turmas/entrar/`, isCurrent: false, attrs: {} },
      { type: 'link', href: `${prefix}/arquitetura/fluxo/`, isCurrent: false, attrs: {} },
    ],
  },
];
const links = (entries: SidebarEntry[]): [string, boolean][] => entries.flatMap((entry) => (entry.type === 'group' ? links(entry.entries) : [[entry.href, entry.isCurrent]]));

describe('the sidebar’s class links', () => {
  it('lead to the English class pages on English pages, and mark the one on show', () => {
    const entries = sidebar('/en');
    pointClassLinks(entries, 'en', '/en/classes/join/');
    expect(links(entries)).toEqual([
      ['/en/', false],
      ['/en/classes/new/', false],
      ['/en/classes/join/', true],
      ['/en/arquitetura/fluxo/', false],
    ]);
  });

  it('stay as they are on Portuguese pages', () => {
    const entries = sidebar('');
    pointClassLinks(entries, 'pt-BR', '/turmas/nova');
    expect(links(entries)).toEqual([
      ['/', false],
      ['/turmas/nova/', true],
      ['/turmas/entrar/', false],
      ['/arquitetura/fluxo/', false],
    ]);
  });
});

describe('previous and next', () => {
  it('never lead from the last lesson to a class page', () => {
    const pagination = { prev: { href: '/en/arquitetura/fluxo/' }, next: { href: '/en/turmas/nova/' } };
    keepClassPagesOutOfPagination(pagination, 'en', '/en/arquitetura/por-que/');
    expect(pagination).toEqual({ prev: { href: '/en/arquitetura/fluxo/' }, next: undefined });
  });

  it('are none on a class page', () => {
    const pagination = { prev: { href: '/arquitetura/por-que/' }, next: { href: '/turmas/entrar/' } };
    keepClassPagesOutOfPagination(pagination, 'pt-BR', '/turmas/nova/');
    expect(pagination).toEqual({ prev: undefined, next: undefined });
  });

  it('stay between lessons', () => {
    const pagination = { prev: { href: '/arquitetura/client/' }, next: { href: '/arquitetura/host/' } };
    keepClassPagesOutOfPagination(pagination, 'pt-BR', '/arquitetura/daemon/');
    expect(pagination).toEqual({ prev: { href: '/arquitetura/client/' }, next: { href: '/arquitetura/host/' } });
  });
});
