/** Adapters to providers: OpenAI-compatible HTTP, Anthropic Messages, and simulated models. */
package dev.signalbox.core.upstream;
