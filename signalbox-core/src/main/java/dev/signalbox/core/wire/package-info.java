/**
 * OpenAI's wire format: the chat completions request bound and checked by Jackson, the answers and
 * errors the gateway writes, the shared mapper.
 */
@NullMarked
package dev.signalbox.core.wire;

import org.jspecify.annotations.NullMarked;
