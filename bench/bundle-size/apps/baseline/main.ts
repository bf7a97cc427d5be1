// The minimal app with no tracing at all: the reference for the main-thread benchmark.
document.querySelector('button')?.addEventListener('click', () => {
  // The app reads the response, as real apps do.
  void fetch('/api/items').then((response) => response.json());
});

// A listener that starts no work, as most clicks meet one (a framework's root listener, a toggle).
document.getElementById('toggle')?.addEventListener('click', () => {
  document.body.classList.toggle('toggled');
});
