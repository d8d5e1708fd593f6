package dev.signalbox.cli;

import dev.signalbox.core.config.ConfigReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The training run of the JDK's ahead-of-time cache: serves a config on a free loopback port and
 * sends it requests of every kind over HTTP (chat completions, Messages, Responses, streamed or
 * not, refused), then does the same to a second config served in front of the first through the
 * real providers' clients, so the classes the request path loads and links (and the methods it runs
 * hot) are recorded. The launcher runs it once per build with {@code -XX:AOTCacheOutput}; {@code
 * serve} then starts from the cache.
 */
@Command(
    name = "warm-up",
    hidden = true,
    description = "Serve a config on a free port and send it requests (the AOT cache's training).")
final class WarmUpCommand implements Callable<Integer> {
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

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "the YAML config")
  Path configFile;

  @Option(
      names = "--front",
      paramLabel = "FILE",
      description =
          "a config served in front of the first, whose port replaces its ${upstream}, and trained"
              + " the same way")
  Path frontFile;

  @Option(names = "--requests", paramLabel = "N", description = "per gateway (default 400)")
  int requests = 400;

  @Override
  public Integer call() throws Exception {
    ConfigReader reader = Configs.reader();
    ServeCommand.Running upstream =
        ServeCommand.start(reader.read(configFile), reader, configFile, 0);
    try {
      train(upstream.server().port());
      if (frontFile != null) {
        trainFront(reader, upstream.server().port());
      }
    } finally {
      upstream.stop();
    }
    return 0;
  }

  private void trainFront(ConfigReader reader, int upstreamPort) throws Exception {
    Path config = Files.createTempFile("signalbox-warm-up-front", ".yaml");
    try {
      Files.writeString(
          config,
          Files.readString(frontFile).replace("${upstream}", Integer.toString(upstreamPort)));
      ServeCommand.Running front = ServeCommand.start(reader.read(config), reader, config, 0);
      try {
        train(front.server().port());
      } finally {
        front.stop();
      }
    } finally {
      Files.deleteIfExists(config);
    }
  }

  private void train(int port) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI base = URI.create("http://127.0.0.1:" + port);
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
