/** The README's fenced code blocks, trimmed (see readme-block.mjs). */
export declare function codeBlocks(markdown: string): string[];
/** The README block that shows `source`, or the stale one that starts like it (see readme-block.mjs). */
export declare function readmeBlockFor(markdown: string, source: string): string | undefined;
