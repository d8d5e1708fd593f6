package dev.signalbox.bench.floor;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Vert.x's server and client on its event loop: the body read whole, posted upstream, the answer
 * piped back with back-pressure. One event loop, as the proxy under test has one core.
 *
 * <p>Usage: {@code VertxFloorProxy PORT UPSTREAM_PORT}.
 */
public final class VertxFloorProxy {
  private VertxFloorProxy() {}

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int upstream = Integer.parseInt(args[1]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    var client =
        vertx.createHttpClient(
            new HttpClientOptions().setTcpNoDelay(true).setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(512));
    RequestOptions target =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost("127.0.0.1")
            .setPort(upstream)
            .setURI("/v1/chat/completions")
            .putHeader("content-type", "application/json");
    vertx
        .createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
        .requestHandler(
            req ->
                req.body()
                    .compose(body -> client.request(target).compose(call -> call.send(body)))
                    .onSuccess(
                        answer -> {
                          var res = req.response().setStatusCode(answer.statusCode());
                          String type = answer.getHeader("content-type");
                          if (type != null) {
                            res.putHeader("content-type", type);
                          }
                          if (answer.getHeader("content-length") == null) {
                            res.setChunked(true);
                          }
                          answer.pipeTo(res);
                        })
                    .onFailure(failure -> req.response().setStatusCode(502).end()))
        .listen(port, "127.0.0.1")
        .await();
    System.out.println("vertx floor proxy listening on " + port);
  }
}
