/** Adapters to providers: OpenAI-compatible HTTP, Anthropic Messages, and simulated models. */
@NullMarked
package dev.signalbox.core.upstream;

import org.jspecify.annotations.NullMarked;
