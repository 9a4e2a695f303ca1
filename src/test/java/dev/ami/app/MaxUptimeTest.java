package dev.ami.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.checkpoint.Checkpoints;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@RuntimeTest
class MaxUptimeTest {

  @Test
  @DisplayName("system.max_uptime stops the run by itself with a final checkpoint; status shows the time left")
  void stopsByItself() throws Exception {
    TestRuntime rt = TestRuntime.start(Map.of("system.max_uptime", "4s", "checkpoint.on_shutdown", true));
    Path states = rt.runFolder().states();
    JsonObject status = rt.control("status", 0).detail();
    assertThat(status.getDouble("uptime_left_s")).isBetween(0.0, 4.0);
    TestRuntime.await(rt.runtime().terminated());
    TestRuntime.await(rt.vertx().close());
    List<Path> written = Checkpoints.list(states);
    assertThat(written).as("the final checkpoint").hasSize(1);
    assertThat(Files.readString(written.get(0).resolve("manifest.json"))).contains("\"shutdown\"");
  }

  @Test
  @DisplayName("without system.max_uptime the time left is null")
  void unlimited() throws Exception {
    try (TestRuntime rt = TestRuntime.start(Map.of())) {
      JsonObject status = rt.control("status", 0).detail();
      assertThat(status.containsKey("uptime_left_s")).isTrue();
      assertThat(status.getValue("uptime_left_s")).isNull();
    }
  }
}
