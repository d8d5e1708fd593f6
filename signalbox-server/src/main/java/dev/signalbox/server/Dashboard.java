package dev.signalbox.server;

import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.gateway.Gateway;
import dev.signalbox.server.http.HttpCall;
import dev.signalbox.server.http.Reply;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard at {@code /ui}: a login form that takes the admin key once and opens a session,
 * then one page whose views (overview, pool, explorer, one decision, limits) read the admin API.
 * Its assets are in the jar (the page, its script and style, and uPlot for the charts); nothing
 * runs Node. Paths under {@code /ui/} name views, so a link to a trace or a search can be shared.
 */
final class Dashboard {
  static final String PATH = "/ui";
  private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
  private static final Map<String, Asset> ASSETS =
      Map.of(
          "app.js", Asset.of("dev/signalbox/server/ui/app.js", "text/javascript"),
          "app.css", Asset.of("dev/signalbox/server/ui/app.css", "text/css"),
          "uPlot.js", Asset.of(UPLOT + "uPlot.iife.min.js", "text/javascript"),
          "uPlot.css", Asset.of(UPLOT + "uPlot.min.css", "text/css"));
  private static final Asset PAGE = Asset.of("dev/signalbox/server/ui/index.html", "text/html");
  private static final Asset LOGIN = Asset.of("dev/signalbox/server/ui/login.html", "text/html");

  private record Asset(byte[] bytes, String type) {
    static Asset of(String resource, String type) {
      try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("the dashboard's " + resource + " is not in the jar");
        }
        return new Asset(in.readAllBytes(), type + "; charset=utf-8");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final Gateway gateway;
  private final UiSessions sessions;
  private final AdminApi admin;

  Dashboard(Gateway gateway, UiSessions sessions, AdminApi admin) {
    this.gateway = gateway;
    this.sessions = sessions;
    this.admin = admin;
  }

  static boolean serves(String path) {
    return path.equals(PATH) || path.startsWith(PATH + "/");
  }

  void serve(HttpCall call, Reply reply) {
    String rest = call.path().substring(PATH.length());
    reply.header("x-frame-options", "DENY");
    reply.header(
        "content-security-policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
            + " frame-ancestors 'none'");
    if (rest.startsWith("/assets/") && call.method().equals("GET")) {
      Asset asset = ASSETS.get(rest.substring("/assets/".length()));
      if (asset == null) {
        throw new SignalboxException(
            ErrorKind.NOT_FOUND, "No dashboard asset " + call.path() + ".", null, "unknown_url");
      }
      reply.header("cache-control", "max-age=3600");
      reply.send(200, asset.type(), asset.bytes());
      return;
    }
    if (rest.startsWith("/reports/") && call.method().equals("GET")) {
      admin.authorize(call);
      new Reports(gateway.config().server().reportsDir())
          .serve(rest.substring("/reports/".length()), reply);
      return;
    }
    switch (call.method() + " " + rest) {
      case "POST /login" -> login(call, reply);
      case "POST /logout" -> {
        UiSessions.token(call.header("cookie")).ifPresent(sessions::close);
        reply.header("set-cookie", UiSessions.cookie("", Duration.ZERO));
        redirect(reply, PATH);
      }
      default -> {
        if (!call.method().equals("GET")) {
          throw new SignalboxException(
              ErrorKind.NOT_FOUND,
              "The dashboard has no " + call.method() + " " + call.path() + ".",
              null,
              "unknown_url");
        }
        reply.header("cache-control", "no-store");
        Asset page = sessions.valid(call.header("cookie")) || openLocally(call) ? PAGE : LOGIN;
        reply.send(200, page.type(), page.bytes());
      }
    }
  }

  /** A gateway with no admin key and no keys serves its own machine without a login. */
  private boolean openLocally(HttpCall call) {
    try {
      gateway.authenticateKeyAdmin(Optional.empty(), call.loopback());
      return true;
    } catch (SignalboxException needsLogin) {
      return false;
    }
  }

  /** Checks the admin key from the login form; a session and a redirect back, or the form again. */
  private void login(HttpCall call, Reply reply) {
    Map<String, List<String>> form =
        new QueryStringDecoder(new String(call.body(), StandardCharsets.UTF_8), false).parameters();
    String key = first(form, "key");
    String next = first(form, "next");
    try {
      gateway.authenticateAdmin(Optional.of("Bearer " + key));
    } catch (SignalboxException refused) {
      reply.header("cache-control", "no-store");
      String page =
          new String(LOGIN.bytes(), StandardCharsets.UTF_8)
              .replace(
                  "<p id=\"problem\" hidden></p>",
                  "<p id=\"problem\" role=\"alert\">" + escape(refused.getMessage()) + "</p>")
              .replace(
                  "id=\"next\" value=\"/ui\"", "id=\"next\" value=\"" + escape(safe(next)) + "\"");
      reply.send(refused.kind().httpStatus(), LOGIN.type(), page.getBytes(StandardCharsets.UTF_8));
      return;
    }
    reply.header("set-cookie", UiSessions.cookie(sessions.open(), UiSessions.idle()));
    redirect(reply, safe(next));
  }

  /** Only a path of the dashboard itself: a login never sends anyone elsewhere. */
  static String safe(String next) {
    return serves(next) && !next.contains("//") && !next.contains("\\") ? next : PATH;
  }

  private static void redirect(Reply reply, String location) {
    reply.header("location", location);
    reply.send(303, "text/plain; charset=utf-8", new byte[0]);
  }

  private static String first(Map<String, List<String>> form, String name) {
    List<String> values = form.get(name);
    return values == null || values.isEmpty() ? "" : values.get(0);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
