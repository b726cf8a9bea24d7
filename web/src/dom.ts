// Building DOM without innerHTML: text always goes through textContent, so data from
// the API can never inject markup.

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | EventListener | undefined>;

export function h(tag: string, attributes: Attributes = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

// A table from rows and column definitions; `onRow` makes rows clickable.
export function table<T>(rows: T[], columns: [string, (row: T) => Child][], onRow?: (row: T) => void): HTMLElement {
  return h('table', {},
    h('thead', {}, h('tr', {}, ...columns.map(([title]) => h('th', {}, title)))),
    h('tbody', {}, ...rows.map((row) => {
      const tr = h('tr', onRow ? { class: 'clickable', tabindex: 0, role: 'link' } : {}, ...columns.map(([, cell]) => h('td', {}, cell(row))));
      if (onRow) {
        tr.addEventListener('click', () => onRow(row));
        tr.addEventListener('keydown', (e) => {
          const key = (e as KeyboardEvent).key;
          if (key !== 'Enter' && key !== ' ') return;
          e.preventDefault();  // Space would scroll the page instead
          onRow(row);
        });
      }
      return tr;
    })));
}

// A labelled form field with a slot for the API's error about it.
export function field(label: string, input: HTMLElement, name: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), input, h('small', { class: 'field-error', 'data-field': name }));
}

export function showFieldError(form: Element, fieldName: string, message: string): void {
  form.querySelectorAll('.field-error').forEach((e) => (e.textContent = ''));
  const slot = form.querySelector(`.field-error[data-field="${CSS.escape(fieldName)}"]`) ?? form.querySelector('.form-error');
  if (slot) slot.textContent = message;
}
