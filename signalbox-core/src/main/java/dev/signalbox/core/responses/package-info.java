/**
 * OpenAI's Responses API spoken to clients (Codex, the openai SDKs): a request and the conversation
 * it continues turned into the gateway's chat request, answers and streams turned back into
 * responses and their named events, and the responses a client asked to store kept for {@code
 * previous_response_id}.
 */
@NullMarked
package dev.signalbox.core.responses;

import org.jspecify.annotations.NullMarked;
