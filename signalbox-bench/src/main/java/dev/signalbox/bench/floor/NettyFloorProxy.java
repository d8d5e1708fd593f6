package dev.signalbox.bench.floor;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty alone, the floor under Vert.x: each client connection gets its own upstream connection on
 * the same event loop, and HTTP objects are relayed as the codecs decode them, with no pool and no
 * aggregation. One event loop, as the proxy under test has one core.
 *
 * <p>Usage: {@code NettyFloorProxy PORT UPSTREAM_PORT}.
 */
public final class NettyFloorProxy {
  private NettyFloorProxy() {}

  public static void main(String[] args) throws InterruptedException {
    int port = Integer.parseInt(args[0]);
    int upstream = Integer.parseInt(args[1]);
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    new ServerBootstrap()
        .group(loop)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel client) {
                client.config().setAutoRead(false);
                client.pipeline().addLast(new HttpServerCodec(), new Front(upstream));
              }
            })
        .bind("127.0.0.1", port)
        .sync();
    System.out.println("netty floor proxy listening on " + port);
  }

  /** Relays a client's requests to its own upstream connection, opened once it is accepted. */
  private static final class Front extends ChannelInboundHandlerAdapter {
    private final int upstreamPort;
    private Channel back;

    Front(int upstreamPort) {
      this.upstreamPort = upstreamPort;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel client = ctx.channel();
      ChannelFuture connected =
          new Bootstrap()
              .group(client.eventLoop())
              .channel(NioSocketChannel.class)
              .option(ChannelOption.TCP_NODELAY, true)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                      channel.pipeline().addLast(new HttpClientCodec(), new Back(client));
                    }
                  })
              .connect("127.0.0.1", upstreamPort);
      back = connected.channel();
      connected.addListener(
          f -> {
            if (f.isSuccess()) {
              client.read();
            } else {
              client.close();
            }
          });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest || msg instanceof HttpContent) {
        back.writeAndFlush(msg);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      back.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Relays the upstream's response objects to the client as they are decoded. */
  private static final class Back extends ChannelInboundHandlerAdapter {
    private final Channel client;

    Back(Channel client) {
      this.client = client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      client.write((HttpObject) msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      client.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      client.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
