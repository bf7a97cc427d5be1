/** What an interaction span says about the element the user acted on. */
export interface TargetDescription {
  /** Lower-case tag name: `button`. */
  tag: string;
  /** The element's id, when it has one. */
  id?: string;
  /**
   * A short accessible name (at most 40 chars): aria-labelledby, aria-label, <label>, alt, a
   * button's caption or text, title, placeholder. Never a field's value or user-typed text.
   */
  label?: string;
  /** An XPath-like location: `//*[@id="cart"]/button[2]`, stable enough to find the element again. */
  xpath: string;
}

const MAX_LABEL = 40;

// A click usually lands on an icon or <span> inside the control; the control is what a person
// (and a trace reader) would name.
const INTERACTIVE =
  'button, a[href], input, select, textarea, label, summary, [role="button"], [role="link"], [role="menuitem"], [role="tab"], [onclick]';

/** Picks the element worth naming for an event target (the nearest interactive ancestor, else the target). */
export function interactionElement(target: EventTarget | null): Element | undefined {
  if (!(target instanceof Element)) return undefined;
  return target.closest(INTERACTIVE) ?? target;
}

export function describeTarget(element: Element): TargetDescription {
  const description: TargetDescription = { tag: element.localName, xpath: xpathOf(element) };
  if (element.id) description.id = element.id;
  const label = labelOf(element);
  if (label) description.label = label;
  return description;
}

/** `button "Checkout"`, else `button#checkout`, else `button`: short, for the span name. */
export function shortName(description: TargetDescription): string {
  if (description.label) return `${description.tag} "${description.label}"`;
  if (description.id) return `${description.tag}#${description.id}`;
  return description.tag;
}

/**
 * A short accessible name, in roughly the order of the accessible name computation:
 * aria-labelledby, aria-label, a form control's <label>, alt (images), a button input's caption,
 * the text content (only for elements named by their content: buttons, links, labels, summary,
 * options, tabs, menu items, ...), title, a text field's placeholder, a form's name.
 *
 * Never user data: not the value of a text field, password, select or textarea, not the text of
 * a contenteditable region, and not the text of arbitrary elements (a table cell may hold a
 * customer's name), which are named by tag and id only.
 */
function labelOf(element: Element): string | undefined {
  // A chain rather than a list of candidates: this runs on every click, before the page's listeners.
  const tag = element.localName;
  return (
    shorten(labelledBy(element)) ??
    shorten(element.getAttribute('aria-label')) ??
    shorten(controlLabel(element)) ??
    (tag === 'img' || tag === 'area' ? shorten(element.getAttribute('alt')) : undefined) ??
    shorten(inputCaption(element)) ??
    (namedByContent(element) ? shorten(contentText(element)) : undefined) ??
    shorten(element.getAttribute('title')) ??
    (isTextField(element) ? shorten(element.getAttribute('placeholder')) : undefined) ??
    (element instanceof HTMLFormElement ? shorten(element.getAttribute('name')) : undefined)
  );
}

const NAMED_BY_CONTENT_TAGS = new Set(['button', 'a', 'summary', 'label', 'option', 'legend', 'caption']);
const NAMED_BY_CONTENT_ROLES = new Set([
  'button',
  'link',
  'menuitem',
  'menuitemcheckbox',
  'menuitemradio',
  'tab',
  'option',
  'checkbox',
  'radio',
  'switch',
  'treeitem',
]);
const FORM_FIELDS = new Set(['input', 'select', 'textarea']);
const SKIPPED = new Set(['script', 'style', 'template', 'noscript', 'svg']);

function namedByContent(element: Element): boolean {
  const role = element.getAttribute('role');
  if (!(role ? NAMED_BY_CONTENT_ROLES.has(role) : NAMED_BY_CONTENT_TAGS.has(element.localName))) return false;
  // Last: isContentEditable may have the browser compute styles.
  return !(element instanceof HTMLElement && element.isContentEditable);
}

function labelledBy(element: Element): string | undefined {
  const attribute = element.getAttribute('aria-labelledby');
  if (!attribute) return undefined;
  const ids = attribute.split(/\s+/).filter(Boolean);
  const texts = ids.map((id) => {
    const labelElement = element.ownerDocument.getElementById(id);
    return labelElement ? (labelElement.getAttribute('aria-label') ?? contentText(labelElement)) : '';
  });
  return texts.join(' ');
}

function controlLabel(element: Element): string | undefined {
  const labels = (element as Partial<HTMLInputElement>).labels;
  const first = labels?.[0];
  return first ? contentText(first) : undefined;
}

function inputCaption(element: Element): string | undefined {
  if (!(element instanceof HTMLInputElement)) return undefined;
  // A button's value is its visible caption, written by the developer; an image button's alt.
  if (['button', 'submit', 'reset'].includes(element.type)) return element.value;
  if (element.type === 'image') return element.getAttribute('alt') ?? undefined;
  return undefined;
}

function isTextField(element: Element): boolean {
  return (
    element instanceof HTMLTextAreaElement || (element instanceof HTMLInputElement && !inputCaption(element))
  );
}

/** The element's text, with images as their alt text; skips form fields, hidden and non-text parts. */
function contentText(root: Element): string {
  let text = '';
  const walk = (node: Node): void => {
    for (let child = node.firstChild; child && text.length <= MAX_LABEL * 2; child = child.nextSibling) {
      if (child.nodeType === Node.TEXT_NODE) {
        text += child.nodeValue ?? '';
      } else if (child instanceof Element) {
        const tag = child.localName;
        if (SKIPPED.has(tag) || FORM_FIELDS.has(tag)) continue;
        if (child.getAttribute('aria-hidden') === 'true' || child.hasAttribute('hidden')) continue;
        if (tag === 'img') text += ` ${child.getAttribute('alt') ?? ''} `;
        else walk(child);
      }
    }
  };
  walk(root);
  return text;
}

function shorten(text: string | null | undefined): string | undefined {
  const collapsed = text?.replace(/\s+/g, ' ').trim();
  if (!collapsed) return undefined;
  return collapsed.length > MAX_LABEL ? `${collapsed.slice(0, MAX_LABEL - 1).trimEnd()}…` : collapsed;
}

function xpathOf(element: Element): string {
  let path = '';
  for (let node: Element | null = element; node; node = node.parentElement) {
    // An id anchors the path: shorter, and it survives unrelated DOM changes above it.
    if (node.id) return `//*[@id="${node.id}"]${path}`;
    path = `/${node.localName}${positionAmongSameTag(node)}${path}`;
  }
  return path;
}

/** `[n]` when the element's parent has other children of its tag, n counted from 1; else empty. */
function positionAmongSameTag(node: Element): string {
  if (!node.parentElement) return '';
  const tag = node.localName;
  let position = 1;
  for (let sibling = node.previousElementSibling; sibling; sibling = sibling.previousElementSibling)
    if (sibling.localName === tag) position++;
  if (position > 1) return `[${position}]`;
  for (let sibling = node.nextElementSibling; sibling; sibling = sibling.nextElementSibling)
    if (sibling.localName === tag) return '[1]';
  return '';
}
