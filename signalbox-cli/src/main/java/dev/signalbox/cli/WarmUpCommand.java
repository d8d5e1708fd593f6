package dev.signalbox.cli;

import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.config.GatewayConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The training run of the JDK's ahead-of-time cache: serves a config on a free loopback port and
 * sends it requests of every kind over HTTP, so the classes the request path loads and links (and
 * the methods it runs hot) are recorded. The launcher runs it once per build with {@code
 * -XX:AOTCacheOutput}; {@code serve} then starts from the cache.
 */
@Command(
    name = "warm-up",
    hidden = true,
    description = "Serve a config on a free port and send it requests (the AOT cache's training).")
final class WarmUpCommand implements Callable<Integer> {
  private static final String[] BODIES = {
    "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}",
    "{\"model\":\"smart\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Prove it step by step\"}]}",
    "{\"model\":\"cheap\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
        + "{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":16}",
    "{\"model\":\"nowhere\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
    "{\"model\":\"auto\",\"messages\":[}"
  };

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "the YAML config")
  Path configFile;

  @Option(names = "--requests", paramLabel = "N", description = "how many (default 400)")
  int requests = 400;

  @Override
  public Integer call() throws Exception {
    ConfigReader reader = Configs.reader();
    GatewayConfig config = reader.read(configFile);
    ServeCommand.Running running = ServeCommand.start(config, reader, configFile, 0);
    try {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI chat = URI.create("http://127.0.0.1:" + running.server().port() + "/v1/chat/completions");
      for (int i = 0; i < requests; i++) {
        client.send(
            HttpRequest.newBuilder(chat)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODIES[i % BODIES.length]))
                .build(),
            HttpResponse.BodyHandlers.ofString());
      }
      client.send(
          HttpRequest.newBuilder(URI.create(chat.resolve("/v1/models").toString())).build(),
          HttpResponse.BodyHandlers.discarding());
    } finally {
      running.stop();
    }
    return 0;
  }
}
