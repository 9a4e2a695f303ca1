package dev.ami.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.ModelKeys;
import dev.ami.support.Await;
import dev.ami.support.ChildJvm;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A real process killed with SIGKILL while it writes a checkpoint: the previous checkpoint stays loadable and
 * {@code --resume latest} uses it. The moment is chosen by a test hook that stalls every checkpoint after the
 * first one between its first and second file, and by watching its temporary directory appear.
 */
@RuntimeTest
class CheckpointCrashTest {
  private static final Pattern CONSOLE = Pattern.compile("console at http://127\\.0\\.0\\.1:(\\d+)/");

  @Test
  @DisplayName("kill -9 during a checkpoint leaves the previous one loadable; ticks go on while it is written")
  void killedMidWrite() throws Exception {
    Path runs = TestRuntime.tempDir("ami-crash");
    List<String> lines = new CopyOnWriteArrayList<>();
    Process p = ChildJvm.start(List.of("-Dami.test.checkpoint_stall_ms=300000"), List.of("run",
        "model.preset=curiosity-small", "env=noise", "agent.hz=20", "agent.realtime=false", "system.isolate_cpus=false",
        "console.port=0", "telemetry.log_every_s=0", "vae.min_new=0", "checkpoint.interval=2",
        "system.runs_dir=" + runs, "checkpoint.on_shutdown=false"), lines);
    Path dir = null; // the run's states/, once the child has made its run folder
    long ticksBefore;
    long ticksAfter;
    try {
      dir = Await.value(Duration.ofSeconds(2 * TestRuntime.TIMEOUT_S), () -> {
        assertThat(p.isAlive()).as("the child runs: %s", lines).isTrue();
        return dev.ami.runs.Runs.all(runs).isEmpty() ? null : dev.ami.runs.Runs.all(runs).get(0).states();
      }, d -> count(d, false) == 1 && count(d, true) == 1,
          () -> "a finished checkpoint and one being written; log: " + lines);
      int port = port(lines);
      ticksBefore = ticks(port);
      Path writing = dir;
      // the writer stalls for minutes: ticks that go on meanwhile went on while it was being written
      ticksAfter = Await.value(Await.MINUTE, () -> ticks(port), t -> t > ticksBefore,
          "the agent ticks while the checkpoint is written");
      assertThat(count(writing, true)).as("still writing").isEqualTo(1);
    } finally {
      p.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
      p.waitFor(TestRuntime.TIMEOUT_S, TimeUnit.SECONDS);
    }
    assertThat(ticksAfter).as("the agent ticked on while the checkpoint was being written").isGreaterThan(ticksBefore);
    assertThat(count(dir, true)).as("the half-written checkpoint is still there, under its temporary name")
        .isEqualTo(1);

    Vertx v = Vertx.vertx();
    Path kept;
    try {
      var shapes = ModelShapes.of(TestRuntime.smallConfig(Map.of()));
      CheckpointReader.Choice choice = CheckpointReader.first(Checkpoints.list(dir), dir, shapes);
      kept = choice.chosen().dir();
      assertThat(choice.skipped()).as("the temporary directory is not a candidate").isEmpty();
    } finally {
      v.close();
    }
    long savedVersion = new JsonObject(Files.readString(kept.resolve("manifest.json"))).getJsonObject("models")
        .getJsonObject(ModelKeys.VAE).getLong("version");
    try (TestRuntime rt = TestRuntime.startResumed(Map.of("system.runs_dir", runs.toString()), "latest")) {
      long version = rt.control("status", 0).detail().getJsonObject("trainer").getJsonObject("models")
          .getJsonObject(ModelKeys.VAE).getLong("version_published");
      assertThat(version).as("versions go on from the surviving checkpoint").isGreaterThanOrEqualTo(savedVersion);
    }
  }

  /** Finished checkpoints, or temporary ones being written. */
  private static long count(Path dir, boolean temporary) throws Exception {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> temporary ? n.startsWith(".") && n.endsWith(".state.tmp") : n.endsWith(".state") && !n.startsWith("."))
          .count();
    }
  }

  private static int port(List<String> lines) {
    for (String line : lines) {
      Matcher m = CONSOLE.matcher(line);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
    }
    throw new AssertionError("the child never logged its console port: " + lines);
  }

  private static long ticks(int port) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/status"))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body()).getLong("ticks");
  }
}
