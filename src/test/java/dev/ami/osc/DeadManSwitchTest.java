package dev.ami.osc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.support.Await;
import dev.ami.support.ChildJvm;
import dev.ami.support.RuntimeTest;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The avatar's dead-man switch. A real OSC server on loopback stands in for VRChat (the built-in world would die
 * with the runtime, so it cannot witness this): the watchdog alone against a pipe, then a whole runtime that walks
 * the avatar and is killed with SIGKILL.
 */
@DisplayName("the avatar's dead-man switch")
class DeadManSwitchTest {

  @Test
  @DisplayName("a pipe that closes without a goodbye: every input is sent 0, and the watchdog exits 1")
  void closedPipeSendsNeutral() throws Exception {
    try (OscRecorder vrchat = new OscRecorder(); PipedOutputStream beats = new PipedOutputStream()) {
      PipedInputStream in = new PipedInputStream(beats);
      Watchdog w = new Watchdog(new InetSocketAddress("127.0.0.1", vrchat.port()), 10_000);
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> watch(w, in));
      beats.write(Watchdog.BEAT);
      beats.close();
      assertThat(exit.get(5, TimeUnit.SECONDS)).isEqualTo(1);
      await(vrchat::allZero, 2000);
      assertThat(vrchat.messages()).hasSize(5 * Watchdog.NEUTRAL_REPEATS);
    }
  }

  @Test
  @DisplayName("a goodbye ends it quietly: exit 0 and not one message")
  void goodbyeIsQuiet() throws Exception {
    try (OscRecorder vrchat = new OscRecorder(); PipedOutputStream beats = new PipedOutputStream()) {
      PipedInputStream in = new PipedInputStream(beats);
      Watchdog w = new Watchdog(new InetSocketAddress("127.0.0.1", vrchat.port()), 10_000);
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> watch(w, in));
      beats.write(Watchdog.BEAT);
      beats.write(Watchdog.BYE);
      beats.flush();
      assertThat(exit.get(5, TimeUnit.SECONDS)).isZero();
      beats.close();
      // the watch has returned: whatever it sent is ahead of a marker sent now
      assertThat(vrchat.messagesSentBefore()).isEmpty();
    }
  }

  @Test
  @DisplayName("heartbeats that stop while the pipe stays open: neutral once, and it keeps watching")
  void stalledHeartbeats() throws Exception {
    try (OscRecorder vrchat = new OscRecorder(); PipedOutputStream beats = new PipedOutputStream()) {
      PipedInputStream in = new PipedInputStream(beats);
      Watchdog w = new Watchdog(new InetSocketAddress("127.0.0.1", vrchat.port()), 200);
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> watch(w, in));
      beats.write(Watchdog.BEAT);
      beats.flush();
      await(() -> vrchat.messages().size() == 5 * Watchdog.NEUTRAL_REPEATS, 5000);
      assertThat(vrchat.allZero()).isTrue();
      assertThat(exit).as("still watching").isNotDone();
      beats.write(Watchdog.BYE);
      beats.flush();
      assertThat(exit.get(5, TimeUnit.SECONDS)).isZero();
    }
  }

  @Test
  @RuntimeTest
  @DisplayName("kill -9 of the runtime while the avatar walks: every input reads 0 within a second; the watchdog is"
      + " small and gone afterwards")
  void killedRuntime(@TempDir Path dir) throws Exception {
    try (OscRecorder vrchat = new OscRecorder()) {
      List<String> output = new CopyOnWriteArrayList<>();
      // VRChat's path: frames from an FFmpeg-written video, actions to OSC (the recorder); the random policy walks
      Path video = dev.ami.capture.TestVideos.patchVideo(dir, 30, 10);
      Process runtime = ChildJvm.start(List.of("-Xmx1g"), List.of("run", "env=video", "model.preset=autoencoder",
          "capture.input=" + video, "capture.loop=true", "osc.enabled=true", "osc.host=127.0.0.1",
          "osc.port=" + vrchat.port(), "console.enabled=false", "checkpoint.on_shutdown=false"), output);
      try {
        await(() -> vrchat.anyNonZero() || !runtime.isAlive(), 120_000);
        assertThat(runtime.isAlive()).as(String.join("\n", output)).isTrue();
        long watchdogPid = watchdogPid(output);
        double rssMb = rssMb(watchdogPid);
        int before = vrchat.messages().size();
        runtime.destroyForcibly(); // SIGKILL: no shutdown hook runs, the actuator never closes
        long killed = System.nanoTime();
        runtime.waitFor(10, TimeUnit.SECONDS);
        // the watchdog's own zeros, all five inputs, after the kill: not the last random action being neutral
        await(() -> vrchat.allZero() && vrchat.messages().size() >= before + 5, 1000);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed)).isLessThan(1000);
        await(() -> ProcessHandle.of(watchdogPid).map(p -> !p.isAlive()).orElse(true), 5000);
        if (!Double.isNaN(rssMb)) {
          assertThat(rssMb).as("the watchdog's resident memory, MB").isLessThan(40);
        }
      } finally {
        runtime.destroyForcibly();
      }
    }
  }

  private static long watchdogPid(List<String> output) throws Exception {
    Pattern p = Pattern.compile("watchdog process (\\d+)");
    return Await.value(Duration.ofSeconds(10), () -> output.stream().map(p::matcher).filter(Matcher::find)
        .map(m -> Long.parseLong(m.group(1))).findFirst().orElse(null), pid -> true,
        () -> "the runtime logs its watchdog:\n" + String.join("\n", output));
  }

  /** VmRSS of a process in MB from /proc (Linux); NaN elsewhere. */
  private static double rssMb(long pid) throws IOException {
    Path status = Path.of("/proc", String.valueOf(pid), "status");
    if (!Files.exists(status)) {
      return Double.NaN;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return Double.NaN;
  }

  private static int watch(Watchdog w, PipedInputStream in) {
    try {
      return w.watch(in);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(BooleanSupplier condition, long timeoutMs) throws Exception {
    Await.until(Duration.ofMillis(timeoutMs), condition::getAsBoolean, "the awaited messages");
  }
}
