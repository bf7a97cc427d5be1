/** What an interaction span says about the element the user acted on. */
export interface TargetDescription {
  /** Lower-case tag name: `button`. */
  tag: string;
  /** The element's id, when it has one. */
  id?: string;
  /** A short human label: aria-label, a button's value, or its trimmed text (at most 40 chars). */
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

function labelOf(element: Element): string | undefined {
  const aria = element.getAttribute('aria-label');
  let text: string | null | undefined = aria;
  if (!text && element instanceof HTMLInputElement) {
    // Never the value of a text field: that is user data. Buttons' values are their captions.
    const isButton = ['button', 'submit', 'reset'].includes(element.type);
    text = isButton ? element.value : element.getAttribute('placeholder') || element.name;
  } else if (!text && element instanceof HTMLFormElement) {
    text = element.getAttribute('name');
  } else if (!text && !(element instanceof HTMLTextAreaElement) && !(element instanceof HTMLSelectElement)) {
    text = element.textContent;
  }
  const collapsed = text?.replace(/\s+/g, ' ').trim();
  if (!collapsed) return undefined;
  return collapsed.length > MAX_LABEL ? `${collapsed.slice(0, MAX_LABEL - 1)}…` : collapsed;
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
