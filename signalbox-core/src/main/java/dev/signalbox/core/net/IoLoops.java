package dev.signalbox.core.net;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.Optional;

/**
 * The process's Netty event loops, one per core, shared by the HTTP server's connections, the
 * upstream client's and the Redis client's. A request whose limits are checked in Redis then hands
 * its reservation to, and takes the answer from, the loops that already serve its connection, not a
 * second set of threads that each Redis call would wake as well (measured in the README's
 * "Performance"). Created on first use, on daemon threads, never shut down: each server and client
 * closes its own channels.
 *
 * <p>On x86-64 Linux (the native library the build carries) the loops run on io_uring, which hands
 * the kernel a loop turn's reads and writes for every connection in one system call where the JDK's
 * selector makes one per socket and operation (measured in the README's "Performance"). Elsewhere,
 * where the kernel refuses io_uring, or with {@code -Dio.netty.transport.noNative=true}, they are
 * NIO. Lettuce decides by the same test (when epoll's library is absent, as here), so its channels
 * always fit these loops.
 */
public final class IoLoops {
  private IoLoops() {}

  /** The loops' kind and the channel classes that run on them. */
  public record Transport(
      String name,
      IoHandlerFactory handlers,
      Class<? extends ServerChannel> serverChannel,
      Class<? extends SocketChannel> socketChannel) {}

  private static final class Holder {
    static final Transport TRANSPORT = choose(IoUring.isAvailable());
    static final EventLoopGroup GROUP =
        new MultiThreadIoEventLoopGroup(
            size(), new DefaultThreadFactory("signalbox-io", true), TRANSPORT.handlers());
  }

  static Transport choose(boolean ioUring) {
    if (ioUring) {
      return new Transport(
          "io_uring",
          IoUringIoHandler.newFactory(),
          IoUringServerSocketChannel.class,
          IoUringSocketChannel.class);
    }
    return new Transport(
        "nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
  }

  public static EventLoopGroup shared() {
    return Holder.GROUP;
  }

  /** The transport of {@link #shared}: {@code io_uring} or {@code nio}, and its channel classes. */
  public static Transport transport() {
    return Holder.TRANSPORT;
  }

  /** The shared loop the caller runs on, if it runs on one. */
  public static Optional<EventLoop> current() {
    for (EventExecutor loop : shared()) {
      if (loop.inEventLoop()) {
        return Optional.of((EventLoop) loop);
      }
    }
    return Optional.empty();
  }

  /** How many loops {@link #shared} has. */
  public static int size() {
    return Runtime.getRuntime().availableProcessors();
  }
}
