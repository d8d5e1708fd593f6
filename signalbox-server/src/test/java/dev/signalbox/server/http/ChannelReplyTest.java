package dev.signalbox.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A streamed reply on a real event loop, written from it and from another loop at once. */
class ChannelReplyTest {
  private final DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
  private final List<String> written = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch ended = new CountDownLatch(1);
  private Channel server;
  private Channel client;

  @BeforeEach
  void connect() throws Exception {
    LocalAddress address = new LocalAddress("channel-reply-test");
    server =
        new ServerBootstrap()
            .group(loops)
            .channel(LocalServerChannel.class)
            .childHandler(new ChannelInboundHandlerAdapter())
            .bind(address)
            .sync()
            .channel();
    client =
        new Bootstrap()
            .group(loops)
            .channel(LocalChannel.class)
            .handler(
                new ChannelOutboundHandlerAdapter() {
                  @Override
                  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                    written.add(describe(msg));
                    if (msg instanceof LastHttpContent) {
                      ended.countDown();
                    }
                    ReferenceCountUtil.release(msg);
                    promise.setSuccess();
                  }
                })
            .connect(address)
            .sync()
            .channel();
  }

  @AfterEach
  void close() throws Exception {
    client.close().sync();
    server.close().sync();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @Test
  void theEndFollowsWritesQueuedFromAnotherLoopEvenWhenCalledOnTheReplysOwn() throws Exception {
    EventLoop own = client.eventLoop();
    EventLoop other = null;
    for (EventExecutor loop : loops) {
      if (loop != own) {
        other = (EventLoop) loop;
      }
    }
    EventLoop upstream = other;
    CountDownLatch queued = new CountDownLatch(1);
    own.submit(
            () -> {
              ChannelReply reply = new ChannelReply(client, true, (ok, close) -> {});
              Reply.BodyStream out = reply.stream(200, "text/event-stream");
              out.writeWithoutWaiting(bytes("fi"));
              // As a stream pushed from its upstream's loop: these writes wait as tasks on this
              // loop, which is busy until the end is called.
              upstream.execute(
                  () -> {
                    try {
                      out.writeWithoutWaiting(bytes("ne"));
                      out.writeWithoutWaiting(bytes("[DONE]"));
                    } catch (java.io.IOException e) {
                      throw new IllegalStateException(e);
                    }
                    queued.countDown();
                  });
              assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
              out.end();
              return null;
            })
        .get(10, TimeUnit.SECONDS);
    assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(written).containsExactly("head", "fi", "ne", "[DONE]", "end");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String describe(Object msg) {
    if (msg instanceof LastHttpContent) {
      return "end";
    }
    if (msg instanceof HttpResponse) {
      return "head";
    }
    if (msg instanceof HttpContent content) {
      return content.content().toString(StandardCharsets.UTF_8);
    }
    return msg.getClass().getSimpleName();
  }
}
