/// <reference types="vite/client" />
interface ImportMetaEnv {
  readonly VITE_API_URL?: string;
}

/** Whether vite.config.ts loaded the clicktrace plugin: 'on', or 'off' (CLICKTRACE_PLUGIN=0). */
declare const __CLICKTRACE_PLUGIN__: 'on' | 'off';

interface Window {
  /** For the inline `onclick=""` attribute in index.html, which can only reach globals. */
  matrix: { ping(path: string): Promise<unknown> };
}
