package dev.signalbox.cli;

import dev.signalbox.core.config.ConfigReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Requests of every kind (chat completions, Messages, Responses, streamed or not, refused) sent
 * over HTTP to a throwaway gateway on simulated models, then to a second one in front of it through
 * the real providers' clients, so that the request path's classes are loaded and its methods run
 * hot. The training run of the JDK's ahead-of-time cache ({@code warm-up}) and {@code serve
 * --warm-up} both run it. The gateways' configs may name {@code ${dir}}, a folder of the run's own
 * that is removed after it, and the second names {@code ${upstream}}, the first one's port.
 */
final class WarmUp {
  private record Call(String path, String body) {}

  private static final List<Call> CALLS =
      List.of(
          new Call(
              "/v1/chat/completions",
              "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}"),
          new Call(
              "/v1/chat/completions",
              "{\"model\":\"smart\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                  + "\"messages\":[{\"role\":\"user\",\"content\":\"Prove it step by step\"}]}"),
          new Call(
              "/v1/chat/completions",
              "{\"model\":\"cheap\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                  + "{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":16}"),
          new Call(
              "/v1/chat/completions",
              "{\"model\":\"nowhere\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
          new Call("/v1/chat/completions", "{\"model\":\"auto\",\"messages\":[}"),
          new Call(
              "/v1/messages",
              "{\"model\":\"cheap\",\"max_tokens\":32,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
          new Call(
              "/v1/messages",
              "{\"model\":\"smart\",\"max_tokens\":32,\"stream\":true,"
                  + "\"messages\":[{\"role\":\"user\",\"content\":\"Prove it\"}]}"),
          new Call("/v1/responses", "{\"model\":\"auto\",\"input\":\"Say hello\"}"),
          new Call(
              "/v1/responses", "{\"model\":\"smart\",\"stream\":true,\"input\":\"Prove it\"}"));

  private WarmUp() {}

  /** The two configs this build carries: simulated models, and a gateway in front of them. */
  static void bundled(int requests) throws Exception {
    run(resource("simulated.yaml"), Optional.of(resource("front.yaml")), requests);
  }

  /**
   * {@code requests} calls to a gateway of {@code config}, then as many to one of {@code front}.
   */
  static void run(String config, Optional<String> front, int requests) throws Exception {
    Path dir = Files.createTempDirectory("signalbox-warm-up");
    try {
      ConfigReader reader = Configs.reader();
      Path upstreamFile = write(dir, "simulated.yaml", config, "");
      ServeCommand.Running upstream =
          ServeCommand.start(reader.read(upstreamFile), reader, upstreamFile, 0);
      try {
        send(upstream.server().port(), requests);
        if (front.isPresent()) {
          String port = Integer.toString(upstream.server().port());
          Path frontFile = write(dir, "front.yaml", front.get(), port);
          ServeCommand.Running served =
              ServeCommand.start(reader.read(frontFile), reader, frontFile, 0);
          try {
            send(served.server().port(), requests);
          } finally {
            served.stop();
          }
        }
      } finally {
        upstream.stop();
      }
    } finally {
      delete(dir);
    }
  }

  private static String resource(String name) {
    try (InputStream in = WarmUp.class.getResourceAsStream("warm-up/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path write(Path dir, String name, String config, String upstreamPort)
      throws IOException {
    return Files.writeString(
        dir.resolve(name),
        config.replace("${dir}", dir.toString()).replace("${upstream}", upstreamPort));
  }

  private static void send(int port, int requests) throws Exception {
    URI base = URI.create("http://127.0.0.1:" + port);
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      for (int i = 0; i < requests; i++) {
        Call call = CALLS.get(i % CALLS.size());
        client.send(
            HttpRequest.newBuilder(base.resolve(call.path()))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(call.body()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
      }
      client.send(
          HttpRequest.newBuilder(base.resolve("/v1/models")).build(),
          HttpResponse.BodyHandlers.discarding());
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
