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
  const candidates: Array<() => string | null | undefined> = [
    () => labelledBy(element),
    () => element.getAttribute('aria-label'),
    () => controlLabel(element),
    () =>
      element.localName === 'img' || element.localName === 'area' ? element.getAttribute('alt') : undefined,
    () => inputCaption(element),
    () => (namedByContent(element) ? contentText(element) : undefined),
    () => element.getAttribute('title'),
    () => (isTextField(element) ? element.getAttribute('placeholder') : undefined),
    () => (element instanceof HTMLFormElement ? element.getAttribute('name') : undefined),
  ];
  for (const candidate of candidates) {
    const label = shorten(candidate());
    if (label) return label;
  }
  return undefined;
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
  if (element instanceof HTMLElement && element.isContentEditable) return false;
  const role = element.getAttribute('role');
  return role ? NAMED_BY_CONTENT_ROLES.has(role) : NAMED_BY_CONTENT_TAGS.has(element.localName);
}

function labelledBy(element: Element): string | undefined {
  const ids = element.getAttribute('aria-labelledby')?.split(/\s+/).filter(Boolean) ?? [];
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
  const steps: string[] = [];
  for (let node: Element | null = element; node; node = node.parentElement) {
    // An id anchors the path: shorter, and it survives unrelated DOM changes above it.
    if (node.id && node !== element) {
      steps.unshift(`//*[@id="${node.id}"]`);
      return steps.join('/');
    }
    if (node.id) return `//*[@id="${node.id}"]`;
    steps.unshift(`${node.localName}${positionAmongSameTag(node)}`);
  }
  return `/${steps.join('/')}`;
}

function positionAmongSameTag(node: Element): string {
  const parent = node.parentElement;
  if (!parent) return '';
  const sameTag = Array.from(parent.children).filter((sibling) => sibling.localName === node.localName);
  return sameTag.length > 1 ? `[${sameTag.indexOf(node) + 1}]` : '';
}
