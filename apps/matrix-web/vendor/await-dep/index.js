// Native async/await on purpose: this file reaches the browser through Vite's dependency
// pre-bundling (dev) or Rollup/Rolldown's node_modules handling (build), not through the app's
// own transform pipeline.
export async function later(ms) {
  await new Promise((r) => setTimeout(r, ms));
  return ms;
}
