// Calls a Signalbox gateway with the official Anthropic client: a message, a stream with its events, a
// tool loop (tool_use, then a tool_result sent back), a token count and an error. Prints one line per
// check; exits non-zero on the first failure.
import Anthropic from "@anthropic-ai/sdk";
import assert from "node:assert/strict";

const baseURL = process.argv[2];
const client = new Anthropic({ baseURL, apiKey: "unused-on-loopback", maxRetries: 0 });

const message = await client.messages.create({
  model: "auto",
  max_tokens: 64,
  system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
  messages: [{ role: "user", content: "hello from the anthropic client" }],
});
assert.equal(message.type, "message");
assert.equal(message.role, "assistant");
assert.equal(message.content[0].type, "text");
assert.ok(message.content[0].text.length > 0);
assert.ok(message.usage.output_tokens > 0);
console.log("message ok:", message.stop_reason);

const events = [];
const stream = client.messages.stream({
  model: "auto",
  max_tokens: 64,
  messages: [{ role: "user", content: [{ type: "text", text: "stream please" }] }],
});
stream.on("streamEvent", (event) => events.push(event.type));
const final = await stream.finalMessage();
assert.ok(final.content[0].text.length > 0, "streamed text");
assert.equal(events[0], "message_start");
assert.ok(events.includes("content_block_delta"));
assert.equal(events.at(-1), "message_stop");
assert.ok(final.usage.output_tokens > 0, "usage in message_delta");
console.log("stream ok:", final.usage.output_tokens, "tokens,", events.length, "events");

const tools = [{ name: "get_weather", description: "Weather for a city", input_schema: { type: "object", properties: { city: { type: "string" } } } }];
const call = await client.messages.create({
  model: "auto",
  max_tokens: 64,
  tools,
  messages: [{ role: "user", content: "weather in Oslo?" }],
});
assert.equal(call.stop_reason, "tool_use");
const use = call.content.find((block) => block.type === "tool_use");
assert.equal(use.name, "get_weather");
const answer = await client.messages.create({
  model: "auto",
  max_tokens: 64,
  tools,
  messages: [
    { role: "user", content: "weather in Oslo?" },
    { role: "assistant", content: call.content },
    { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "12 C, rain" }] },
  ],
});
assert.equal(answer.type, "message");
console.log("tools ok:", answer.stop_reason);

const count = await client.messages.countTokens({ model: "auto", messages: [{ role: "user", content: "count these words please" }] });
assert.ok(count.input_tokens > 0);
console.log("count ok:", count.input_tokens);

try {
  await client.messages.create({ model: "no-such-model", max_tokens: 8, messages: [{ role: "user", content: "x" }] });
  assert.fail("expected a 404");
} catch (e) {
  assert.ok(e instanceof Anthropic.NotFoundError, `expected NotFoundError, got ${e}`);
  assert.equal(e.error.error.type, "not_found_error");
  console.log("errors ok:", e.status, e.error.error.type);
}
