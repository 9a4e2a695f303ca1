package dev.ami.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ami.config.AmiConfig;
import dev.ami.config.ConfigException;
import dev.ami.config.ConfigLoader;
import dev.ami.support.TestRuntime;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RunFolderTest {
  private static final Instant T = Instant.parse("2026-12-07T09:08:07Z");

  @Test
  @DisplayName("a run folder is named by its UTC start and name, never reused: -2, -3 on a collision")
  void naming() throws Exception {
    Path runs = TestRuntime.tempDir("ami-runs").resolve("not-yet");
    RunFolder a = RunFolder.create(runs, null, T);
    RunFolder b = RunFolder.create(runs, null, T);
    RunFolder c = RunFolder.create(runs, "probe", T);
    RunFolder d = RunFolder.create(runs, null, T);
    assertThat(List.of(a.id(), b.id(), c.id(), d.id()))
        .containsExactly("20261207-090807", "20261207-090807-2", "20261207-090807-probe", "20261207-090807-3");
    assertThat(a.states()).isDirectory();
    assertThat(a.tensorboard()).isDirectory();
    assertThat(Runs.all(runs)).hasSize(4);
    for (String bad : new String[] {"../x", "a/b", ".hidden", "-x", "", "x".repeat(65), "spa ce"}) {
      assertThatThrownBy(() -> RunFolder.create(runs, bad, T)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  @DisplayName("config.yaml holds the resolved config with mode and parent; --config loads the same run again")
  void configRoundTrip() throws Exception {
    Path runs = TestRuntime.tempDir("ami-runs");
    AmiConfig config = load(null, List.of("model.preset=curiosity-small", "agent.hz=13", "system.seed=42",
        "checkpoint.interval=12h", "mode=eval", "resumed_from=/somewhere/20261201-000000",
        "system.runs_dir=" + runs));
    RunFolder run = RunFolder.create(runs, "rt", T);
    RunConfigFile.write(run, config);
    String text = Files.readString(run.config());
    assertThat(text).contains("mode: eval").contains("resumed_from: /somewhere/20261201-000000")
        .contains("agent:\n").contains("  hz: 13");
    assertThat(Runs.mode(run)).isEqualTo("eval");
    AmiConfig again = load(run.config(), List.of());
    assertThat(again.toJson()).isEqualTo(config.toJson());
    assertThat(again.getLong("agent.seed")).as("derived seeds are written out, so they stay").isEqualTo(42);
  }

  @Test
  @DisplayName("secrets are written as ***; loading such a file asks for them on the command line")
  void secretsMasked() throws Exception {
    Path runs = TestRuntime.tempDir("ami-runs");
    Path keys = TestRuntime.tempDir("ami-keys");
    Path cert = Files.writeString(keys.resolve("console.crt"), "not read here");
    Path key = Files.writeString(keys.resolve("console.key"), "not read here");
    AmiConfig config = load(null, List.of("console.token=hunter2", "console.tls.cert=" + cert,
        "console.tls.key=" + key));
    RunFolder run = RunFolder.create(runs, null, T);
    RunConfigFile.write(run, config);
    String text = Files.readString(run.config());
    assertThat(text).doesNotContain("hunter2").contains("token: ").contains("***").as("key-file paths are kept")
        .contains(key.toString());
    assertThatThrownBy(() -> load(run.config(), List.of())).hasMessageContaining("console.token")
        .hasMessageContaining("command line");
    assertThat(load(run.config(), List.of("console.token=other")).getString("console.token")).isEqualTo("other");
  }

  private static AmiConfig load(Path file, List<String> overrides) throws Exception {
    Vertx v = Vertx.vertx();
    try {
      return new ConfigLoader(v).load(file, overrides).toCompletionStage().toCompletableFuture()
          .get(TestRuntime.TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof ConfigException ce ? ce : e;
    } finally {
      v.close();
    }
  }
}
