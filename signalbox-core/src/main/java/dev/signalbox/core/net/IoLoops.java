package dev.signalbox.core.net;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.Optional;

/**
 * The process's Netty event loops, one per core, shared by the HTTP server's connections and the
 * Redis client's. A request whose limits are checked in Redis then hands its reservation to, and
 * takes the answer from, the loops that already serve its connection, not a second set of threads
 * that each Redis call would wake as well (measured in the README's "Performance"). Created on
 * first use, on daemon threads, never shut down: each server and client closes its own channels.
 */
public final class IoLoops {
  private IoLoops() {}

  private static final class Holder {
    static final EventLoopGroup GROUP =
        new MultiThreadIoEventLoopGroup(
            size(), new DefaultThreadFactory("signalbox-io", true), NioIoHandler.newFactory());
  }

  public static EventLoopGroup shared() {
    return Holder.GROUP;
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
