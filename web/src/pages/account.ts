// The signed-in account: who it is, and a password change.
import { api, get, session } from '../api';
import type { User } from '../api';
import { field, h, mount, notice } from '../dom';

/** Sent on `window` when the session's token is replaced. */
export const SESSION_RENEWED = 'mmm:session-renewed';

export async function accountPage(main: HTMLElement): Promise<void> {
  const me = await get<User>('/auth/me');
  const current = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
  const again = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const status = h('div', { 'aria-live': 'polite' });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Change the password');
  const form = h('form', {
    class: 'card',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      if (next.value !== again.value) {
        mount(status, notice('error', 'The two new passwords differ.'));
        return;
      }
      save.disabled = true;
      try {
        // The server refuses every token from before the change: this session goes on with the
        // new one it answers with, whose end the shell's timer follows.
        const token = await api<{ access_token: string }>('POST', '/auth/password', { current_password: current.value, new_password: next.value });
        session.save(token.access_token, me);
        window.dispatchEvent(new Event(SESSION_RENEWED));
        form.reset();
        mount(status, notice('success', 'The password is changed: sign in with it from now on. Sessions signed in before the change, on this or any other device, have ended; this one goes on.'));
      } catch (err) {
        mount(status, notice('error', (err as Error).message));
      } finally {
        save.disabled = false;
      }
    },
  }, h('h2', null, 'Change the password'),
  h('div', { class: 'grid3' }, field('Current password', current), field('New password', next, 'At least 8 characters.'),
    field('New password again', again)),
  save, status);
  mount(main, h('h1', null, 'Account'),
    h('section', { class: 'card', 'aria-label': 'Who is signed in' },
      h('dl', { class: 'facts' }, h('dt', null, 'Email'), h('dd', null, me.email),
        h('dt', null, 'Name'), h('dd', null, me.full_name ?? '–'), h('dt', null, 'Role'), h('dd', null, me.role))),
    form);
}
