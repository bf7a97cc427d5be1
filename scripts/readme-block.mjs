// For the packages' README tests: every quick start is a real file, shown verbatim in the README.

/** The README's fenced code blocks, trimmed. */
export function codeBlocks(markdown) {
  return [...markdown.matchAll(/^```[\w-]*\n([\s\S]*?)^```$/gm)].map((match) => (match[1] ?? '').trim());
}

/**
 * The README block that shows `source`: the identical one, else the one that starts like it (so a
 * test's `toBe(source)` fails with a line diff against the stale copy), else undefined.
 */
export function readmeBlockFor(markdown, source) {
  const text = source.trim();
  const blocks = codeBlocks(markdown);
  const firstLine = text.split('\n')[0] ?? '';
  return blocks.find((block) => block === text) ?? blocks.find((block) => block.startsWith(firstLine));
}
