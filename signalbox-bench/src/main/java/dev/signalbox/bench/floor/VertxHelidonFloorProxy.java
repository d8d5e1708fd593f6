package dev.signalbox.bench.floor;

import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Vert.x's server with the gateway's blocking style: each request handed to a virtual thread that
 * calls upstream with Helidon's client and writes the answer back, waiting on each write.
 *
 * <p>Usage: {@code VertxHelidonFloorProxy PORT UPSTREAM_PORT}.
 */
public final class VertxHelidonFloorProxy {
  private VertxHelidonFloorProxy() {}

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Http1Client client =
        Http1Client.builder()
            .baseUri("http://127.0.0.1:" + Integer.parseInt(args[1]))
            .socketOptions(SocketOptions.builder().tcpNoDelay(true).build())
            .shareConnectionCache(false)
            .build();
    ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    vertx
        .createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
        .requestHandler(
            req ->
                req.body()
                    .onSuccess(
                        body ->
                            threads.execute(
                                () -> {
                                  var res = req.response();
                                  try (Http1ClientResponse answer =
                                      client
                                          .post("/v1/chat/completions")
                                          .header(HeaderNames.CONTENT_TYPE, "application/json")
                                          .submit(body.getBytes())) {
                                    res.setStatusCode(answer.status().code());
                                    answer
                                        .headers()
                                        .first(HeaderNames.CONTENT_TYPE)
                                        .ifPresent(type -> res.putHeader("content-type", type));
                                    res.setChunked(true);
                                    try (InputStream in = answer.inputStream()) {
                                      byte[] buffer = new byte[8192];
                                      for (int n; (n = in.read(buffer)) > 0; ) {
                                        res.write(Buffer.buffer(Arrays.copyOf(buffer, n))).await();
                                      }
                                    }
                                    res.end().await();
                                  } catch (Exception e) {
                                    res.reset();
                                  }
                                })))
        .listen(port, "127.0.0.1")
        .await();
    System.out.println("vertx+helidon floor proxy listening on " + port);
  }
}
