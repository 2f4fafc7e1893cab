// Stands in for `@pagefind/default-ui` in Starlight's search box. Starlight builds the Pagefind UI as
// soon as a page is idle, which would make every reader download it; this stand-in loads the real UI
// only when the reader reaches for search (pointer over or focus on the button, or the dialog opening).
type PagefindOptions = { element: string } & Record<string, unknown>;

export class PagefindUI {
  constructor(options: PagefindOptions) {
    const dialog = document.querySelector<HTMLDialogElement>('site-search dialog');
    const button = document.querySelector<HTMLButtonElement>('site-search button[data-open-modal]');
    if (!dialog || !button) return;

    let loading: Promise<void> | undefined;
    const load = () =>
      (loading ??= import('@pagefind/default-ui/npm_dist/mjs/ui-core.mjs').then(({ PagefindUI: RealUI }) => {
        new RealUI(options);
        if (dialog.open) dialog.querySelector('input')?.focus();
      }));

    // A reader may open search before the page is idle, that is before Starlight calls this constructor.
    if (dialog.open || button.matches(':hover, :focus')) load();
    for (const event of ['pointerenter', 'focus', 'click']) button.addEventListener(event, load, { once: true });
    // Ctrl+K opens the dialog without touching the button.
    new MutationObserver(() => dialog.open && load()).observe(dialog, { attributes: true, attributeFilter: ['open'] });
  }
}
