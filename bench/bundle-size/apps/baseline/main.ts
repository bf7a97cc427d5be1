// The minimal app with no tracing at all: the reference for the main-thread benchmark.
document.querySelector('button')?.addEventListener('click', () => {
  void fetch('/api/items');
});
