package dev.signalbox.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IoLoopsTest {
  @Test
  void theLoopsRunOnIoUringWhereTheKernelAllowsItAndOnNioElsewhere() {
    assertThat(IoLoops.transport().name()).isEqualTo(IoUring.isAvailable() ? "io_uring" : "nio");
    assertThat(IoLoops.choose(true).socketChannel()).isEqualTo(IoUringSocketChannel.class);
    assertThat(IoLoops.choose(false).socketChannel()).isEqualTo(NioSocketChannel.class);
  }

  @Test
  void aServerAndAClientOnTheSharedLoopsExchangeBytes() throws Exception {
    Channel server =
        new ServerBootstrap()
            .group(IoLoops.shared())
            .channel(IoLoops.transport().serverChannel())
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            new SimpleChannelInboundHandler<ByteBuf>() {
                              @Override
                              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf in) {
                                ctx.writeAndFlush(in.retainedDuplicate());
                              }
                            });
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
    CompletableFuture<String> echoed = new CompletableFuture<>();
    Channel client =
        new Bootstrap()
            .group(IoLoops.shared())
            .channel(IoLoops.transport().socketChannel())
            .handler(
                new SimpleChannelInboundHandler<ByteBuf>() {
                  private final StringBuilder read = new StringBuilder();

                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf in) {
                    read.append(in.toString(StandardCharsets.UTF_8));
                    if (read.length() >= "ping".length()) {
                      echoed.complete(read.toString());
                    }
                  }
                })
            .connect(server.localAddress())
            .sync()
            .channel();
    try {
      client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8)).sync();
      assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("ping");
    } finally {
      client.close().sync();
      server.close().sync();
    }
  }
}
