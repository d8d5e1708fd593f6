package dev.signalbox.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.Usage;
import dev.signalbox.core.wire.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class AccessLogTest {
  @Test
  void aCostIsAPlainDecimalRoundedToTenPlaces() {
    assertThat(AccessLog.plainUsd(5.1599999999999994E-5)).isEqualTo("0.0000516");
    assertThat(AccessLog.plainUsd(3e-12)).isEqualTo("0");
    assertThat(AccessLog.plainUsd(0)).isEqualTo("0");
    assertThat(AccessLog.plainUsd(12.5)).isEqualTo("12.5");
  }

  @Test
  void aRoutedRequestsLineCarriesItsRouteModelTimesTokensAndCostAndARefusalsItsCode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (AccessLog log =
        new AccessLog(new PrintStream(bytes, false, StandardCharsets.UTF_8), TimeSource.SYSTEM)) {
      log.requestEnd(
          trace(
              List.of(
                  new AttemptTrace(0, "mid", "mid-east", "503", -1, 10, false, "overloaded"),
                  new AttemptTrace(1, "mid", "mid-west", "ok", 50.4567, 400, true, "")),
              "ok",
              ""),
          Duration.ofNanos(412_345_678));
      log.requestFailed(
          trace(List.of(), "no_candidate", "key sk-abcdefghijklmnopqrstuvwx refused"),
          Duration.ofMillis(3));
      log.rejected(
          new SignalboxException(ErrorKind.INVALID_REQUEST, "bad body", null, "bad_request"));
      assertThat(log.flush(Duration.ofSeconds(30))).isTrue();
    }
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split(System.lineSeparator(), -1);
    assertThat(lines).hasSize(4);
    assertThat(lines[0])
        .isEqualTo(
            "{\"time\":\"1970-01-01T00:00:00Z\",\"request_id\":\"req_x\",\"tenant\":\"t\","
                + "\"model_requested\":\"auto\",\"route\":\"auto\",\"model\":\"mid\","
                + "\"deployment\":\"mid-west\",\"attempts\":2,\"stream\":false,"
                + "\"outcome\":\"ok\",\"duration_ms\":412.35,\"ttft_ms\":50.46,"
                + "\"prompt_tokens\":1000,\"completion_tokens\":200,\"cost_usd\":0.0008}");
    assertThat(lines[1])
        .isEqualTo(
            "{\"time\":\"1970-01-01T00:00:00Z\",\"request_id\":\"req_x\",\"tenant\":\"t\","
                + "\"model_requested\":\"auto\",\"route\":\"auto\",\"model\":\"\","
                + "\"deployment\":\"\",\"attempts\":0,\"stream\":false,"
                + "\"outcome\":\"no_candidate\",\"duration_ms\":3.0,"
                + "\"prompt_tokens\":1000,\"completion_tokens\":200,\"cost_usd\":0.0008,"
                + "\"error\":\"key [redacted] refused\"}");
    assertThat(lines[2])
        .matches(
            "\\{\"time\":\"[^\"]+\",\"status\":400,\"outcome\":\"rejected\","
                + "\"code\":\"bad_request\",\"error\":\"bad body\"}");
    assertThat(lines[3]).isEmpty();
  }

  private static DecisionTrace trace(List<AttemptTrace> attempts, String outcome, String error) {
    return new DecisionTrace(
        "req_x",
        Instant.EPOCH,
        "t",
        "auto",
        List.of("auto"),
        "rules",
        1,
        "abc",
        1,
        Map.of(),
        List.of(),
        List.of(),
        1,
        PoolSnapshot.EMPTY,
        attempts,
        new Usage(1000, 0, 200, false),
        0.0008,
        false,
        outcome,
        error,
        List.of(),
        "",
        "");
  }

  @Test
  void everyLineFromManyThreadsIsWrittenWholeEvenPastTheQueuesCapacity() throws Exception {
    // The writer thread is held until every caller is done, so the queue overflows and callers
    // write their own lines.
    CountDownLatch callersDone = new CountDownLatch(1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out =
        new PrintStream(bytes, false, StandardCharsets.UTF_8) {
          @Override
          public void write(byte[] buf, int off, int len) {
            try {
              if (Thread.currentThread().getName().equals("signalbox-access-log")) {
                callersDone.await();
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            super.write(buf, off, len);
          }
        };
    int threads = 4;
    int each = 3_000;
    try (AccessLog log = new AccessLog(out, TimeSource.SYSTEM)) {
      List<Thread> callers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        callers.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      for (int i = 0; i < each; i++) {
                        log.rejected(
                            new SignalboxException(
                                ErrorKind.INVALID_REQUEST, "bad " + i, null, "bad_request"));
                      }
                    }));
      }
      for (Thread caller : callers) {
        caller.join(Duration.ofSeconds(30));
      }
      callersDone.countDown();
      assertThat(log.flush(Duration.ofSeconds(30))).isTrue();
    }
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split(System.lineSeparator());
    assertThat(lines).hasSize(threads * each);
    for (String line : lines) {
      assertThat(Json.MAPPER.readTree(line).path("outcome").asText()).isEqualTo("rejected");
    }
  }
}
