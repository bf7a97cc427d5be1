// `node --require @clicktrace/node/register app.cjs`. The SDK is ESM; Node >= 20.19 (and 22.12)
// can require() an ES module without top-level await, which dist/register.js has none of.
require('./dist/register.js');
