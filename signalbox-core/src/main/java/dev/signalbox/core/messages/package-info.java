/**
 * Anthropic's Messages API spoken to clients (Claude Code, the Anthropic SDKs): requests turned
 * into the gateway's chat requests, and answers and streams turned back into messages and their
 * events, so that the same router serves both.
 */
@NullMarked
package dev.signalbox.core.messages;

import org.jspecify.annotations.NullMarked;
