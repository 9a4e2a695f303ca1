package dev.ami.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.config.AmiConfig;
import dev.ami.runs.RunConfigFile;
import dev.ami.runs.RunFolder;
import dev.ami.support.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Retention and the choice of {@code latest} over run folders, on checkpoint directories whose manifest and
 * checksum are real (their tensors are not needed to decide what to keep or what is newest).
 */
class RetentionTest {
  private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");

  /** A finished checkpoint named as the writer names the next one, its manifest written at {@code created}. */
  private static Path checkpoint(Path states, Instant nameClock, Instant created) throws Exception {
    Path dir = Files.createDirectories(states.resolve(Checkpoints.newName(states, nameClock)));
    byte[] manifest = new JsonObject().put("format", Manifest.FORMAT).put("created", created.toString())
        .put("files", new JsonObject()).encode().getBytes(StandardCharsets.UTF_8);
    Files.write(dir.resolve(Manifest.FILE), manifest);
    Files.writeString(dir.resolve(Manifest.CHECKSUM_FILE),
        HexFormat.of().formatHex(CheckpointWriter.sha256().digest(manifest)) + "\n");
    return dir;
  }

  private static List<String> names(Path states) {
    return Checkpoints.list(states).stream().map(p -> p.getFileName().toString()).toList();
  }

  @Test
  @DisplayName("pruning keeps the newest N of this run and deletes a crash's temporary directory")
  void pruneWithinRun() throws Exception {
    Path states = RunFolder.create(TestRuntime.tempDir("ami-runs"), null, T).states();
    for (int i = 0; i < 7; i++) {
      checkpoint(states, T.plusSeconds(i), T.plusSeconds(i));
    }
    Files.createDirectories(Checkpoints.temp(states, "000099-x.state"));
    List<Path> deleted = Checkpoints.prune(states, 3);
    assertThat(deleted).hasSize(4);
    assertThat(names(states)).hasSize(3);
    assertThat(names(states).get(0)).startsWith("000007-");
    assertThat(names(states).get(2)).startsWith("000005-");
    try (var s = Files.list(states)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
    }
  }

  @Test
  @DisplayName("two runs in one parent folder: pruning one never touches the other's checkpoints")
  void twoRunsShareParent() throws Exception {
    Path runs = TestRuntime.tempDir("ami-runs");
    RunFolder longRun = RunFolder.create(runs, "long", T);
    RunFolder fresh = RunFolder.create(runs, "fresh", T.plusSeconds(60));
    for (int i = 0; i < 5; i++) {
      checkpoint(longRun.states(), T.plusSeconds(i), T.plusSeconds(i));
    }
    List<String> before = names(longRun.states());
    for (int i = 0; i < 6; i++) { // five graceful stops and more, in the new run
      checkpoint(fresh.states(), T.plusSeconds(100 + i), T.plusSeconds(100 + i));
      Checkpoints.prune(fresh.states(), 2);
    }
    assertThat(names(longRun.states())).isEqualTo(before);
    assertThat(names(fresh.states())).hasSize(2);
  }

  @Test
  @DisplayName("a clock set behind the newest name: the fresh checkpoint still sorts newest and is kept")
  void clockBehind() throws Exception {
    Path states = RunFolder.create(TestRuntime.tempDir("ami-runs"), null, T).states();
    for (int i = 0; i < 3; i++) {
      checkpoint(states, T.plusSeconds(i), T.plusSeconds(i));
    }
    Instant behind = Instant.parse("1999-01-01T00:00:00Z");
    Path fresh = checkpoint(states, behind, behind);
    assertThat(fresh.getFileName().toString()).startsWith("000004-19990101T");
    assertThat(Checkpoints.list(states).get(0)).isEqualTo(fresh);
    Checkpoints.prune(states, 1);
    assertThat(Checkpoints.list(states)).containsExactly(fresh);
  }

  @Test
  @DisplayName("retention never deletes the newest checkpoint that is whole, even past keep")
  void keepsNewestWhole() throws Exception {
    Path states = RunFolder.create(TestRuntime.tempDir("ami-runs"), null, T).states();
    Path whole = checkpoint(states, T, T);
    Path damaged = checkpoint(states, T.plusSeconds(1), T.plusSeconds(1));
    Files.writeString(damaged.resolve(Manifest.CHECKSUM_FILE), "0".repeat(64));
    Checkpoints.prune(states, 1);
    assertThat(Checkpoints.list(states)).containsExactly(damaged, whole);
  }

  @Test
  @DisplayName("latest looks across the training runs, newest by when written, and skips evaluation runs")
  void latestAcrossRuns() throws Exception {
    Path runs = TestRuntime.tempDir("ami-runs");
    AmiConfig config = TestRuntime.smallConfig(Map.of("system.runs_dir", runs.toString()));
    // named later, written earlier: a run folder's name is not what decides
    RunFolder laterName = RunFolder.create(runs, "zz", T.plusSeconds(3600));
    Path older = checkpoint(laterName.states(), T, T.plusSeconds(10));
    RunFolder earlierName = RunFolder.create(runs, "aa", T);
    Path newer = checkpoint(earlierName.states(), T, T.plusSeconds(20));
    Path newerStill = checkpoint(earlierName.states(), T, T.plusSeconds(5)); // next in sequence; its clock was behind
    RunFolder eval = RunFolder.create(runs, "eval", T.plusSeconds(7200));
    RunConfigFile.write(eval, config.withLauncherKeys(Map.of("mode", "eval")));
    checkpoint(eval.states(), T, T.plusSeconds(99));
    assertThat(Resume.candidates(config, "latest")).containsExactly(newerStill, newer, older);
    assertThat(Resume.candidates(config, laterName.dir().toString())).containsExactly(older);
    assertThat(dev.ami.runs.Runs.of(newer)).isEqualTo(earlierName);
  }
}
