// app.ts: a stand-in for your app. No tracing code: the click and its fetch are traced by main.ts.
export function mountApp(): void {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Say hello';
  const answer = document.createElement('output');
  button.addEventListener('click', async () => {
    const response = await fetch('/api/hello');
    answer.textContent = await response.text();
  });
  document.body.append(button, answer);
}
