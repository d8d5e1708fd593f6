/**
 * OpenAI's embeddings API on the gateway's one path: a request is read into a chat request that
 * carries its own body (for signals, routing, limits and traces), OpenAI-compatible upstreams
 * receive the body as sent, and simulated deployments answer with vectors of their own.
 */
@NullMarked
package dev.signalbox.core.embeddings;

import org.jspecify.annotations.NullMarked;
