package dev.ami.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.ControlReply;
import dev.ami.runs.Runs;
import dev.ami.support.Await;
import dev.ami.support.ChildJvm;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Checkpoints meeting a shutdown or a failing disk. */
@RuntimeTest
class CheckpointShutdownTest {

  @Test
  @DisplayName("SIGTERM while a periodic checkpoint is written: the shutdown waits for it, then writes the final one")
  void shutdownWaitsForWrite() throws Exception {
    Path runs = TestRuntime.tempDir("ami-slow");
    List<String> lines = new CopyOnWriteArrayList<>();
    // every checkpoint but the process's first stalls 4 s after its first file: a slow disk
    Process p = ChildJvm.start(List.of("-Dami.test.checkpoint_stall_ms=4000"), List.of("run",
        "model.preset=curiosity-small", "env=noise", "agent.hz=20", "agent.realtime=false", "system.isolate_cpus=false",
        "console.enabled=false", "telemetry.log_every_s=0", "vae.min_new=0", "checkpoint.interval=2",
        "checkpoint.on_shutdown=true", "system.runs_dir=" + runs), lines);
    Path states = null;
    try {
      states = Await.value(Duration.ofSeconds(2 * TestRuntime.TIMEOUT_S), () -> {
        assertThat(p.isAlive()).as("the child runs: %s", lines).isTrue();
        return Runs.all(runs).isEmpty() ? null : Runs.all(runs).get(0).states();
      }, s -> Checkpoints.list(s).size() == 1 && temporary(s) == 1,
          () -> "the second checkpoint under way; log: " + lines);
      new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid())).start().waitFor();
      assertThat(p.waitFor(2 * TestRuntime.TIMEOUT_S, TimeUnit.SECONDS)).as("exits; log: %s", lines).isTrue();
    } finally {
      p.destroyForcibly();
    }
    assertThat(p.exitValue()).as("a graceful stop (143: the JVM's code for a SIGTERM it handled)").isIn(0, 143);
    assertThat(String.join("\n", lines)).contains("waiting for the checkpoint being written");
    List<String> reasons = new ArrayList<>();
    for (Path c : Checkpoints.list(states)) {
      reasons.add(0, new JsonObject(Files.readString(c.resolve("manifest.json"))).getString("reason"));
    }
    assertThat(reasons).as("the periodic one finished, then the final one").containsExactly("periodic", "periodic",
        "shutdown");
  }

  @Test
  @DisplayName("a disk error during a write: reported, nothing left half-written, the previous one still loads")
  void diskErrorKeepsPrevious() throws Exception {
    try (TestRuntime rt = TestRuntime.start(Map.of("vae.min_new", 0))) {
      Path states = rt.runFolder().states();
      ControlReply first = rt.control("checkpoint", 0);
      assertThat(first.ok()).as(first.error()).isTrue();
      ControlReply failed;
      System.setProperty(CheckpointWriter.FAIL_PROPERTY, "true");
      try {
        failed = rt.control("checkpoint", 0);
      } finally {
        System.clearProperty(CheckpointWriter.FAIL_PROPERTY);
      }
      assertThat(failed.ok()).isFalse();
      assertThat(failed.error()).contains("injected disk error");
      assertThat(Checkpoints.list(states)).hasSize(1);
      assertThat(temporary(states)).as("the half-written one is cleaned up").isZero();
      var shapes = ModelShapes.of(TestRuntime.smallConfig(Map.of()));
      assertThat(CheckpointReader.check(Checkpoints.list(states).get(0), shapes).dir())
          .isEqualTo(Path.of(first.detail().getString("path")));
      ControlReply after = rt.control("checkpoint", 0);
      assertThat(after.ok()).as("the next one works again: %s", after.error()).isTrue();
    }
  }

  private static long temporary(Path states) throws Exception {
    try (Stream<Path> s = Files.list(states)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".state.tmp")).count();
    }
  }
}
