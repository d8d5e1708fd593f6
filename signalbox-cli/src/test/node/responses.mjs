// Calls a Signalbox gateway with the official openai client's Responses API: a response, a stream
// with its named events, a tool loop continued by previous_response_id, a stored response read back,
// its input items listed and deleted, and an error. Prints one line per check; exits non-zero on the
// first failure.
import OpenAI from "openai";
import assert from "node:assert/strict";

const baseURL = process.argv[2] + "/v1";
const client = new OpenAI({ baseURL, apiKey: "unused-on-loopback", maxRetries: 0 });

const response = await client.responses.create({
  model: "auto",
  instructions: "Be brief.",
  input: "hello from the responses client",
  max_output_tokens: 64,
});
assert.equal(response.object, "response");
// The simulated answer's length varies: past max_output_tokens it is cut, as OpenAI says so.
if (response.status !== "completed") {
  assert.equal(response.status, "incomplete");
  assert.equal(response.incomplete_details.reason, "max_output_tokens");
}
assert.ok(response.output_text.length > 0, "output_text");
assert.ok(response.usage.output_tokens > 0);
console.log("response ok:", response.id);

const events = [];
const stream = client.responses.stream({
  model: "auto",
  input: [{ role: "user", content: [{ type: "input_text", text: "stream please" }] }],
});
stream.on("event", (event) => events.push(event.type));
const final = await stream.finalResponse();
assert.ok(final.output[0].content[0].text.length > 0, "streamed text");
assert.equal(events[0], "response.created");
assert.ok(events.includes("response.output_text.delta"));
assert.equal(events.at(-1), "response.completed");
assert.ok(final.usage.output_tokens > 0, "usage in response.completed");
console.log("stream ok:", final.usage.output_tokens, "tokens,", events.length, "events");

const tools = [{ type: "function", name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } } } }];
const call = await client.responses.create({ model: "auto", tools, input: "weather in Oslo?" });
const functionCall = call.output.find((item) => item.type === "function_call");
assert.ok(functionCall, "a function_call item");
assert.equal(functionCall.name, "get_weather");
const answer = await client.responses.create({
  model: "auto",
  tools,
  previous_response_id: call.id,
  input: [{ type: "function_call_output", call_id: functionCall.call_id, output: "12 C, rain" }],
});
assert.equal(answer.previous_response_id, call.id);
const items = await client.responses.inputItems.list(answer.id, { order: "asc" });
const types = items.data.map((item) => item.type);
assert.deepEqual(types.slice(0, 1), ["message"]);
assert.ok(types.includes("function_call") && types.includes("function_call_output"), types.join(","));
console.log("tools ok:", types.join(","));

const read = await client.responses.retrieve(response.id);
assert.equal(read.id, response.id);
assert.equal(read.output_text, response.output_text);
await client.responses.delete(response.id);
try {
  await client.responses.retrieve(response.id);
  assert.fail("expected a 404 after delete");
} catch (e) {
  assert.ok(e instanceof OpenAI.NotFoundError, `expected NotFoundError, got ${e}`);
}
console.log("store ok");

try {
  await client.responses.create({ model: "no-such-model", input: "x" });
  assert.fail("expected a 404");
} catch (e) {
  assert.ok(e instanceof OpenAI.NotFoundError, `expected NotFoundError, got ${e}`);
  console.log("errors ok:", e.status, e.code);
}
