import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ping } from './api.js';

// React delegates every onClick to one listener on the root container: the request starts in a
// listener the page never attached to the button itself.
function ReactPathButton() {
  const [answers, setAnswers] = useState(0);
  return (
    <button
      type="button"
      data-answers={answers}
      onClick={async () => {
        await ping('react');
        setAnswers((count) => count + 1);
      }}
    >
      react
    </button>
  );
}

export function mountReactPath(container: HTMLElement): void {
  createRoot(container).render(<ReactPathButton />);
}
