// Buttons that download a model's table from the API's /export routes.
import { download } from './api';
import { h, mount, notice } from './dom';

/** A button that downloads `path` (an /export route) as the file the server names, with a live
 * status line saying what was saved or what went wrong. */
export function downloadButton(label: string, path: string, fallbackName: string): HTMLElement {
  const status = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'button' }, label);
  button.addEventListener('click', async () => {
    try {
      const name = await download(path, fallbackName);
      mount(status, notice('success', `Downloaded ${name}.`));
    } catch (err) {
      mount(status, notice('error', (err as Error).message));
    }
  });
  return h('div', null, h('div', { class: 'toolbar', role: 'group', 'aria-label': 'Export' }, button), status);
}
