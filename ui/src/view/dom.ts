/**
 * The one way the pages create DOM: `h(tag, attributes, ...children)` sets attributes with
 * setAttribute and text with text nodes, never innerHTML. Event-handler and style attributes are
 * refused outright: handlers are attached with addEventListener and styling goes through classes,
 * which keeps the pages valid under a CSP without 'unsafe-inline'.
 */

export type Child = Node | string | number | null | undefined | false;
export type Attributes = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (/^on/i.test(name) || name.toLowerCase() === 'style') throw new Error(`attribute ${name} is not allowed`);
    if (value === undefined || value === null || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

/** Sets a space-separated id list attribute (aria-describedby), dropping empties; removes it when empty. */
export function setIdList(element: Element, name: string, ids: (string | undefined)[]): void {
  const list = ids.filter((id): id is string => !!id).join(' ');
  if (list) element.setAttribute(name, list);
  else element.removeAttribute(name);
}
