package dev.ami.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("environment presets: defaults < conf/ami.yaml < conf/env/NAME.yaml < command line")
class EnvPresetsTest {
  private static Vertx vertx;

  @TempDir
  Path dir;

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  @Test
  @DisplayName("the default is the built-in world")
  void defaultIsSim() throws Exception {
    assertThat(load(null).getString("env")).isEqualTo("sim");
  }

  @Test
  @DisplayName("env=vrchat brings VRChat's OSC port and OBS Virtual Camera; the command line still wins")
  void vrchat() throws Exception {
    AmiConfig c = load(null, "env=vrchat", "capture.input=/dev/video4");
    assertThat(c.getString("osc.host")).isEqualTo("127.0.0.1");
    assertThat(c.getInt("osc.port")).isEqualTo(9000);
    assertThat(c.getString("capture.format")).isEqualTo("v4l2");
    assertThat(c.getString("capture.input")).isEqualTo("/dev/video4");
    assertThat(c.getInt("capture.size")).as("0: the model's own side").isZero();
    assertThat(c.getInt("model.input_size")).as("ami's 84x84, from the curiosity preset").isEqualTo(84);
  }

  @Test
  @DisplayName("a config file elsewhere without presets beside it uses the presets bundled in the jar")
  void bundledPresets() throws Exception {
    Path file = dir.resolve("mine.yaml");
    Files.writeString(file, "env: vrchat\nagent:\n  hz: 20\n");
    AmiConfig c = load(file);
    assertThat(c.getInt("agent.hz")).isEqualTo(20);
    assertThat(c.getString("capture.format")).isEqualTo("v4l2");
  }

  @Test
  @DisplayName("what the user's own file sets wins over what a preset implies; the command line wins over both")
  void userFileWinsOverPreset() throws Exception {
    Path file = dir.resolve("mine.yaml");
    Files.writeString(file, "env: vrchat\ncapture:\n  input: /dev/video7\nmodel:\n  preset: curiosity-small\n"
        + "fd:\n  width: 48\n");
    AmiConfig c = load(file);
    assertThat(c.getString("capture.input")).as("not the preset's /dev/video0").isEqualTo("/dev/video7");
    assertThat(c.getString("capture.format")).as("the preset's, where the file says nothing").isEqualTo("v4l2");
    assertThat(c.getInt("fd.width")).as("not curiosity-small's 32").isEqualTo(48);
    assertThat(c.getInt("vae.latent")).isEqualTo(32);
    assertThat(load(file, "fd.width=64").getInt("fd.width")).isEqualTo(64);
  }

  @Test
  @DisplayName("a preset beside the config file overrides the bundled one")
  void presetBesideTheFile() throws Exception {
    Path file = dir.resolve("mine.yaml");
    Files.writeString(file, "env: noise\n");
    Files.createDirectories(dir.resolve("env"));
    Files.writeString(dir.resolve("env").resolve("noise.yaml"), "agent:\n  hz: 33\n");
    assertThat(load(file).getInt("agent.hz")).isEqualTo(33);
    assertThat(load(file, "agent.hz=5").getInt("agent.hz")).isEqualTo(5);
  }

  @Test
  @DisplayName("env=video without an input, an unknown env and a preset that sets env are clear errors")
  void errors() throws Exception {
    assertThatThrownBy(() -> load(null, "env=video")).hasMessageContaining("env=video needs capture.input");
    assertThatThrownBy(() -> load(null, "env=vrcat")).hasMessageContaining("one of sim, vrchat, video, noise");
    Path file = dir.resolve("mine.yaml");
    Files.writeString(file, "env: sim\n");
    Files.createDirectories(dir.resolve("env"));
    Files.writeString(dir.resolve("env").resolve("sim.yaml"), "env: noise\n");
    assertThatThrownBy(() -> load(file)).hasMessageContaining("must not set env");
  }

  private static AmiConfig load(Path file, String... overrides) throws Exception {
    try {
      return new ConfigLoader(vertx).load(file, List.of(overrides)).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ConfigException.class);
      throw (ConfigException) e.getCause();
    }
  }
}
