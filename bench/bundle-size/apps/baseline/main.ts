// The minimal app with no tracing at all: the reference for the main-thread benchmark.
document.querySelector('button')?.addEventListener('click', () => {
  // The app reads the response, as real apps do.
  void fetch('/api/items').then((response) => response.json());
});
