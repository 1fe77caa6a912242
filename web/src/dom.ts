// A small element builder: h('button', {class: 'primary', onclick: go}, 'Save').

export type Child = Node | string | number | null | undefined | false | Child[];
type Handler = (ev: Event) => void;
export type Attrs = Record<string, string | number | boolean | Handler | null | undefined>;

const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'multiple', 'required']);

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value as Handler);
    } else if (PROPS.has(key)) {
      (el as unknown as Record<string, unknown>)[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces an element's content. */
export function mount(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A message region screen readers announce. */
export function notice(kind: 'error' | 'info' | 'success', text: string): HTMLElement {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** A delete button that asks once more before it acts (no native dialog). */
export function deleteButton(what: string, confirmText: string, action: () => Promise<void>): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'danger small', 'aria-label': `Delete ${what}` }, 'Delete');
  button.addEventListener('click', async () => {
    if (button.dataset.confirm !== '1') {
      button.dataset.confirm = '1';
      button.textContent = confirmText;
      button.setAttribute('aria-label', `${confirmText}: ${what}`);
      return;
    }
    button.disabled = true;
    await action();
  });
  return button;
}

/** A name edited in place (a table cell): `save` gets the trimmed text and throws to refuse it
 * (its message is shown); `done` puts the cell back, after a save or on Cancel. */
export function renameForm(current: string, label: string, save: (name: string) => Promise<void>, done: () => void): HTMLElement {
  const input = h('input', { type: 'text', maxlength: 200, value: current, 'aria-label': label, autocomplete: 'off' });
  const status = h('div', { 'aria-live': 'polite' });
  const cancel = h('button', { type: 'button', class: 'small' }, 'Cancel');
  cancel.addEventListener('click', done);
  const form = h('form', {
    class: 'inline',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      try {
        await save(input.value.trim());
        done();
      } catch (err) {
        mount(status, notice('error', err instanceof Error ? err.message : String(err)));
      }
    },
  }, input, h('button', { type: 'submit', class: 'small' }, 'Save'), cancel, status);
  queueMicrotask(() => input.focus());
  return form;
}

/** A labelled form field. */
export function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('small', null, hint) : null);
}

/** A table whose columns sort when their header button is pressed. */
export interface Column<T> {
  label: string;
  value: (row: T) => number | string;
  render?: (row: T) => Child;
  numeric?: boolean;
}

export function sortableTable<T>(rows: T[], columns: Column<T>[], caption: string): HTMLElement {
  let sortBy = -1;
  let descending = true;
  const table = h('table', { class: 'data' });
  const draw = (): void => {
    const sorted = [...rows];
    if (sortBy >= 0) {
      const col = columns[sortBy];
      sorted.sort((a, b) => {
        const x = col.value(a);
        const y = col.value(b);
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return descending ? -c : c;
      });
    }
    mount(
      table,
      h('caption', null, caption),
      h('thead', null, h('tr', null, columns.map((col, i) => h('th', {
        scope: 'col',
        class: col.numeric ? 'num' : null,
        'aria-sort': i === sortBy ? (descending ? 'descending' : 'ascending') : 'none',
      }, h('button', {
        class: 'sort',
        type: 'button',
        onclick: () => {
          if (sortBy === i) descending = !descending;
          else { sortBy = i; descending = true; }
          draw();
        },
      }, col.label, i === sortBy ? (descending ? ' ▼' : ' ▲') : ''))))),
      h('tbody', null, sorted.map((row) => h('tr', null, columns.map((col) =>
        h('td', { class: col.numeric ? 'num' : null }, col.render ? col.render(row) : col.value(row)))))),
    );
  };
  draw();
  return h('div', { class: 'table-wrap' }, table);
}
