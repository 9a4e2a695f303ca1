package dev.ami.osc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("OSC safety net: a JVM that exits without closing the actuator still sends every input to 0")
class ShutdownHookTest {

  @Test
  @DisplayName("System.exit with the avatar walking ends with all five inputs at 0 on the wire")
  void exitSendsZeros() throws Exception {
    try (OscRecorder vrchat = new OscRecorder()) {
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), ExitWithoutClose.class.getName(),
          String.valueOf(vrchat.port()))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      try {
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      } finally {
        p.destroyForcibly();
      }
      assertThat(p.exitValue()).isZero();
      assertThat(vrchat.messages()).anyMatch(m -> m.getArguments().get(0).equals(1f));
      assertThat(vrchat.await(OscRecorder::allZero, Duration.ofSeconds(10))).isTrue();
    }
  }
}
