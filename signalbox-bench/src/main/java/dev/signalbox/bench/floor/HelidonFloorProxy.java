package dev.signalbox.bench.floor;

import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.WebServer;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Helidon's server and client, blocking on virtual threads: the body read whole, posted upstream,
 * the answer copied back as it arrives.
 *
 * <p>Usage: {@code HelidonFloorProxy PORT UPSTREAM_PORT}.
 */
public final class HelidonFloorProxy {
  private HelidonFloorProxy() {}

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    String upstream = "http://127.0.0.1:" + Integer.parseInt(args[1]);
    Http1Client client =
        Http1Client.builder()
            .baseUri(upstream)
            .socketOptions(SocketOptions.builder().tcpNoDelay(true).build())
            .shareConnectionCache(false)
            .build();
    WebServer.builder()
        .host("127.0.0.1")
        .port(port)
        .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
        .routing(
            routing ->
                routing.post(
                    "/v1/chat/completions",
                    (req, res) -> {
                      byte[] body = req.content().as(byte[].class);
                      try (Http1ClientResponse answer =
                          client
                              .post("/v1/chat/completions")
                              .header(HeaderNames.CONTENT_TYPE, "application/json")
                              .submit(body)) {
                        res.status(Status.create(answer.status().code()));
                        answer
                            .headers()
                            .first(HeaderNames.CONTENT_TYPE)
                            .ifPresent(type -> res.header(HeaderNames.CONTENT_TYPE, type));
                        try (InputStream in = answer.inputStream();
                            OutputStream out = res.outputStream()) {
                          byte[] buffer = new byte[8192];
                          for (int n; (n = in.read(buffer)) > 0; ) {
                            out.write(buffer, 0, n);
                            out.flush();
                          }
                        }
                      }
                    }))
        .build()
        .start();
    System.out.println("helidon floor proxy listening on " + port);
  }
}
