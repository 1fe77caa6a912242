// The dashboard shell: navigation, the model picker, sign-out, and the hash router.
import './styles.css';
import { session, whenExpired } from './api';
import { app, modelLabel } from './app';
import { disposeCharts } from './charts';
import { h, mount, notice } from './dom';
import { loginPage } from './pages/login';
import { dataPage } from './pages/data';
import { modelsPage } from './pages/models';
import { overviewPage } from './pages/overview';
import { channelsPage } from './pages/channels';
import { curvesPage } from './pages/curves';
import { optimizerPage } from './pages/optimizer';
import { insightsPage, reportPage } from './pages/insights';
import { SESSION_RENEWED, accountPage } from './pages/account';

type Page = (main: HTMLElement, params: URLSearchParams) => Promise<void>;

// Pages off the navigation (`inNav: false`) are reached from elsewhere: the account from the
// email in the header.
const PAGES: { path: string; title: string; page: Page; needsModel: boolean; inNav?: false }[] = [
  { path: 'data', title: 'Data', page: dataPage, needsModel: false },
  { path: 'models', title: 'Models', page: modelsPage, needsModel: false },
  { path: 'overview', title: 'Overview', page: overviewPage, needsModel: true },
  { path: 'channels', title: 'Channels', page: channelsPage, needsModel: true },
  { path: 'curves', title: 'Response curves', page: curvesPage, needsModel: true },
  { path: 'optimizer', title: 'Optimizer', page: optimizerPage, needsModel: true },
  { path: 'insights', title: 'Insights', page: insightsPage, needsModel: true },
  { path: 'report', title: 'Report', page: reportPage, needsModel: true },
  { path: 'account', title: 'Account', page: accountPage, needsModel: false, inNav: false },
];

const root = document.getElementById('app') as HTMLElement;
let expiryTimer: number | undefined;

function go(path: string): void {
  location.hash = `#/${path}`;
}

function signOut(message?: string): void {
  session.clear();
  window.clearTimeout(expiryTimer);
  go(message ? 'login?expired=1' : 'login');
}

whenExpired(() => signOut('expired'));

function followExpiry(): void {
  window.clearTimeout(expiryTimer);
  expiryTimer = window.setTimeout(() => signOut('expired'), Math.max(session.remaining(), 1) * 1000);
}
window.addEventListener(SESSION_RENEWED, followExpiry);

function route(): { path: string; params: URLSearchParams } {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query] = hash.split('?');
  return { path: path || '', params: new URLSearchParams(query ?? '') };
}

function shell(active: string): HTMLElement {
  const user = session.user();
  const current = app.currentModel();
  const picker = h('select', {
    id: 'model-picker',
    'aria-label': 'Model shown',
    onchange: (e: Event) => {
      app.choose((e.target as HTMLSelectElement).value);
      void render();
    },
  }, app.fitted().length === 0
    ? h('option', { value: '' }, 'no fitted model yet')
    : app.fitted().map((m) => h('option', { value: m.id, selected: m.id === current?.id }, modelLabel(m))));
  const main = h('main', { id: 'main', tabindex: -1 });
  document.body.classList.toggle('printing', active === 'report');
  mount(
    root,
    h('header', { class: 'top' },
      h('a', { class: 'brand', href: '#/overview' }, 'mmm'),
      h('nav', { 'aria-label': 'Pages' }, h('ul', null, PAGES.filter((p) => p.inNav !== false).map((p) => h('li', null,
        h('a', { href: `#/${p.path}`, 'aria-current': p.path === active ? 'page' : null }, p.title))))),
      h('div', { class: 'who' },
        h('label', { class: 'picker' }, h('span', { class: 'sr-only' }, 'Model'), picker),
        h('a', { class: 'email', href: '#/account', title: 'Account', 'aria-current': active === 'account' ? 'page' : null }, user?.email ?? ''),
        h('button', { type: 'button', class: 'link', onclick: () => signOut() }, 'Sign out'))),
    main,
  );
  return main;
}

// Each navigation starts a render; one overtaken by a newer navigation while it waited for the
// API must not replace the newer page.
let generation = 0;

async function render(): Promise<void> {
  const mine = ++generation;
  disposeCharts();
  const { path, params } = route();
  if (path === 'login' || path === 'register') {
    document.body.classList.remove('printing');
    await loginPage(root, path, params, async () => {
      await app.refreshModels();
      go(app.fitted().length ? 'overview' : 'data');
    });
    return;
  }
  if (!session.token() || session.remaining() <= 0) {
    signOut(session.token() ? 'expired' : undefined);
    return;
  }
  followExpiry();
  const page = PAGES.find((p) => p.path === path);
  if (!page) {
    go('overview');
    return;
  }
  try {
    await app.refreshModels();
  } catch {
    return; // expiry already handled
  }
  if (mine !== generation) return;
  const main = shell(page.path);
  document.title = `${page.title} · mmm`;
  if (page.needsModel && !app.currentModel()) {
    mount(main, h('h1', null, page.title), notice('info', 'There is no fitted model yet.'),
      h('p', null, 'Upload a data set on ', h('a', { href: '#/data' }, 'Data'), ', then train a model on ',
        h('a', { href: '#/models' }, 'Models'), ', or import a Google Meridian model there.'));
    return;
  }
  try {
    await page.page(main, params);
  } catch (e) {
    main.append(notice('error', e instanceof Error ? e.message : String(e)));
  }
  main.focus({ preventScroll: true });
}

// The skip link must not touch the hash, which is the router's.
document.querySelector('a.skip')?.addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main')?.focus();
});

window.addEventListener('hashchange', () => void render());
void render();
