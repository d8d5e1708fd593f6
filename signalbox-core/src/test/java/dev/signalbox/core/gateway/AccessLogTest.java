package dev.signalbox.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.TimeSource;
import dev.signalbox.core.wire.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  void everyLineFromManyThreadsIsWrittenWholeEvenPastTheQueuesCapacity() throws Exception {
    // The writer thread is held until every caller is done, so the queue overflows and callers
    // write their own lines.
    CountDownLatch callersDone = new CountDownLatch(1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out =
        new PrintStream(bytes, false, StandardCharsets.UTF_8) {
          @Override
          public void print(String s) {
            try {
              if (Thread.currentThread().getName().equals("signalbox-access-log")) {
                callersDone.await();
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            super.print(s);
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
