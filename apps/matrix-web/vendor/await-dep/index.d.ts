/** Resolves with `ms` after `ms` milliseconds, through a native `await`. */
export declare function later(ms: number): Promise<number>;
