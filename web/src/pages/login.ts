// Sign in and register (registration signs in).
import { ApiError, api, session } from '../api';
import type { User } from '../api';
import { field, h, mount, notice } from '../dom';

interface TokenOut { access_token: string; user?: User }

export async function loginPage(
  root: HTMLElement,
  mode: string,
  params: URLSearchParams,
  done: () => Promise<void>,
): Promise<void> {
  const registering = mode === 'register';
  document.title = `${registering ? 'Register' : 'Sign in'} · mmm`;
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true });
  const password = h('input', {
    // Only new passwords have a minimum length: accounts made before (or seeded) must sign in.
    type: 'password', name: 'password', required: true, minlength: registering ? 8 : undefined,
    autocomplete: registering ? 'new-password' : 'current-password',
  });
  const name = h('input', { type: 'text', name: 'full_name', autocomplete: 'name' });
  const message = h('div', { 'aria-live': 'polite' });
  if (params.get('expired')) message.append(notice('info', 'Your session has ended. Please sign in again.'));
  const submit = h('button', { type: 'submit', class: 'primary' }, registering ? 'Create account' : 'Sign in');

  const form = h('form', {
    class: 'card auth',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      submit.disabled = true;
      mount(message);
      try {
        let token: TokenOut;
        if (registering) {
          token = await api<TokenOut>('POST', '/auth/register', {
            email: email.value, password: password.value, full_name: name.value || null,
          });
        } else {
          const body = new URLSearchParams({ username: email.value, password: password.value }).toString();
          token = await api<TokenOut>('POST', '/auth/login', body, 'application/x-www-form-urlencoded');
        }
        session.save(token.access_token, token.user ?? { id: '', email: email.value, full_name: null, role: 'user' });
        if (!token.user) {
          const me = await api<User>('GET', '/auth/me');
          session.save(token.access_token, me);
        }
        await done();
      } catch (err) {
        const text = err instanceof ApiError ? err.message : 'The server cannot be reached.';
        mount(message, notice('error', text));
        submit.disabled = false;
      }
    },
  },
  h('h1', null, registering ? 'Create your account' : 'Sign in to mmm'),
  message,
  field('Email', email),
  field('Password', password, registering ? 'At least 8 characters.' : undefined),
  registering ? field('Full name (optional)', name) : null,
  submit,
  h('p', null, registering
    ? ['Already have an account? ', h('a', { href: '#/login' }, 'Sign in')]
    : ['New here? ', h('a', { href: '#/register' }, 'Create an account')]));

  mount(root, h('main', { id: 'main', class: 'center' },
    h('p', { class: 'brand big' }, 'mmm'),
    h('p', { class: 'tagline' }, 'Media mix modelling: what each channel returns, and where the next dollar should go.'),
    form));
  email.focus();
}
