/**
 * HTTP/1.1 on Netty, and nothing of the gateway: requests read whole within their deadlines and
 * handed to a virtual thread as an {@link dev.signalbox.server.http.HttpCall}, answers written back
 * through a {@link dev.signalbox.server.http.Reply} that waits while the client is slow to read.
 * Connections that hold a slot without sending a request are closed by their deadline or, at the
 * connection limit, by the next client.
 */
@NullMarked
package dev.signalbox.server.http;

import org.jspecify.annotations.NullMarked;
