package dev.signalbox.core.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;
import java.io.IOException;

/**
 * What takes one response of a {@link LoopHttpClient} connection, on its event loop: the headers,
 * the pieces of the body, then its end or the failure that cut it short.
 */
interface AnswerReceiver {
  void head(HttpResponse response);

  /** A piece of the body, valid only during the call. */
  void data(ByteBuf bytes);

  void end();

  void fail(IOException failure);

  /** Whether the headers came. */
  boolean answered();
}
