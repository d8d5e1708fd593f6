// Calls a Signalbox gateway with the official openai client: a completion, a stream with usage, a tool
// call, a model list and an error. Prints one line per check; exits non-zero on the first failure.
import OpenAI from "openai";
import assert from "node:assert/strict";

const baseURL = process.argv[2];
const client = new OpenAI({ baseURL, apiKey: "unused-on-loopback", maxRetries: 0 });

const completion = await client.chat.completions.create({
  model: "auto",
  messages: [{ role: "user", content: "hello from the openai client" }],
});
assert.equal(completion.object, "chat.completion");
assert.ok(completion.choices[0].message.content.length > 0);
assert.ok(completion.usage.total_tokens > 0);
console.log("completion ok:", completion.choices[0].message.content.slice(0, 30));

const { data, response } = await client.chat.completions
  .create({ model: "auto", messages: [{ role: "user", content: "again" }] })
  .withResponse();
assert.ok(response.headers.get("x-signalbox-request-id").startsWith("req_"));
// "auto" is a rules route: the header names the route its rules handed the request to.
assert.equal(response.headers.get("x-signalbox-route"), "cheap");
assert.ok(data.id);
console.log("headers ok:", response.headers.get("x-signalbox-model"));

const stream = await client.chat.completions.create({
  model: "auto",
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: "user", content: "stream please" }],
});
let text = "";
let usage = null;
let finish = null;
for await (const chunk of stream) {
  if (chunk.usage) usage = chunk.usage;
  for (const choice of chunk.choices) {
    text += choice.delta?.content ?? "";
    finish = choice.finish_reason ?? finish;
  }
}
assert.ok(text.length > 0, "streamed text");
assert.equal(finish, "stop");
assert.ok(usage && usage.completion_tokens > 0, "usage chunk");
console.log("stream ok:", usage.completion_tokens, "tokens");

const tool = await client.chat.completions.create({
  model: "auto",
  messages: [{ role: "user", content: "weather in Oslo?" }],
  tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
});
assert.equal(tool.choices[0].finish_reason, "tool_calls");
assert.equal(tool.choices[0].message.tool_calls[0].function.name, "get_weather");
console.log("tools ok");

const models = await client.models.list();
assert.ok(models.data.some((m) => m.id === "auto"));
console.log("models ok:", models.data.length);

try {
  await client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "x" }] });
  assert.fail("expected a 404");
} catch (e) {
  assert.ok(e instanceof OpenAI.NotFoundError, `expected NotFoundError, got ${e}`);
  assert.equal(e.code, "model_not_found");
  console.log("errors ok:", e.status, e.code);
}

// Embeddings: the client asks for base64 unless told otherwise and decodes it; both ways agree.
const texts = ["the cat sat on the mat", "a cat sat on a mat", "quarterly revenue grew"];
const decoded = await client.embeddings.create({ model: "embed", input: texts });
assert.equal(decoded.object, "list");
assert.equal(decoded.data.length, 3);
assert.equal(decoded.data[0].embedding.length, 384);
assert.ok(decoded.usage.prompt_tokens > 0);
const floats = await client.embeddings.create({ model: "embed", input: texts[0], encoding_format: "float", dimensions: 64 });
assert.equal(floats.data[0].embedding.length, 64);
const cosine = (a, b) => a.reduce((sum, v, i) => sum + v * b[i], 0);
const [cat, cat2, revenue] = decoded.data.map((d) => d.embedding);
assert.ok(cosine(cat, cat2) > cosine(cat, revenue), "shared words point alike");
assert.ok(Math.abs(cosine(cat, cat) - 1) < 1e-5, "unit length");
try {
  await client.embeddings.create({ model: "cheap", input: "x" });
  assert.fail("expected a 400: a chat route has no embedding model");
} catch (e) {
  assert.ok(e instanceof OpenAI.BadRequestError, `expected BadRequestError, got ${e}`);
  assert.match(e.message, /no embeddings/);
}
console.log("embeddings ok:", decoded.usage.prompt_tokens, "tokens");
