package dev.ami.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

@DisplayName("model presets: defaults < conf/ami.yaml < conf/models/NAME.yaml < conf/env/NAME.yaml < command line")
class ModelPresetsTest {
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
  @DisplayName("the default is the curiosity agent at ami's sizes, in the map of several rooms (env=sim's)")
  void curiosityIsTheDefault() throws Exception {
    AmiConfig c = load(null);
    assertThat(c.getString("model.preset")).isEqualTo("curiosity");
    assertThat(c.getString("model.kind")).isEqualTo("curiosity");
    assertThat(c.getInt("model.input_size")).isEqualTo(84);
    assertThat(c.getInt("vae.latent")).isEqualTo(512);
    assertThat(c.getInt("fd.depth")).isEqualTo(4);
    assertThat(c.getInt("policy.rollout")).isEqualTo(128);
    assertThat(c.getString("sim.map")).isEqualTo("rooms");
  }

  @Test
  @DisplayName("a model preset sets model keys only and an env preset environment keys only: a redeploy between "
      + "model presets leaves the world as it is")
  void presetsKeepToTheirSide() throws Exception {
    assertThat(sections("models")).isNotEmpty().allSatisfy((name, keys) -> assertThat(keys).as(name)
        .isSubsetOf("model", "vae", "fd", "policy", "ae"));
    assertThat(sections("env")).isNotEmpty().allSatisfy((name, keys) -> assertThat(keys).as(name)
        .isSubsetOf("sim", "osc", "capture"));
  }

  /** The top-level sections each preset file of {@code conf/KIND} sets. */
  private static Map<String, Set<String>> sections(String kind) throws Exception {
    Map<String, Set<String>> out = new TreeMap<>();
    try (var files = Files.list(Path.of("conf", kind))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        Map<String, Object> yaml = new Yaml().load(Files.readString(f));
        out.put(f.getFileName().toString(), yaml == null ? Set.of() : yaml.keySet());
      }
    }
    return out;
  }

  @Test
  @DisplayName("model.preset picks a preset; any key can still be overridden, and the env preset comes after it")
  void presetThenOverrides() throws Exception {
    AmiConfig small = load(null, "model.preset=curiosity-small", "vae.latent=24");
    assertThat(small.getInt("fd.width")).isEqualTo(32);
    assertThat(small.getInt("vae.latent")).as("the command line wins").isEqualTo(24);
    AmiConfig large = load(null, "model.preset=curiosity-large");
    assertThat(large.getInt("vae.latent")).isEqualTo(1024);
    assertThat(large.getInt("fd.depth")).isEqualTo(8);
    assertThat(large.getInt("vae.channels")).isEqualTo(2 * load(null).getInt("vae.channels"));
    AmiConfig ae = load(null, "model.preset=autoencoder");
    assertThat(ae.getString("model.kind")).isEqualTo("autoencoder");
    assertThat(ae.getInt("model.input_size")).isEqualTo(64);
    assertThat(ae.getString("sim.map")).as("a model preset leaves the world alone").isEqualTo("rooms");
    Path file = dir.resolve("mine.yaml");
    Files.writeString(file, "model:\n  preset: autoencoder\n");
    Files.createDirectories(dir.resolve("env"));
    Files.writeString(dir.resolve("env").resolve("sim.yaml"), "model:\n  input_size: 96\n");
    assertThat(load(file).getInt("model.input_size")).as("the env preset is applied after the model preset")
        .isEqualTo(96);
  }

  @Test
  @DisplayName("an unknown preset, a preset that picks a preset, a too-small frame and buffers beyond the heap are "
      + "clear errors")
  void errors() throws Exception {
    assertThatThrownBy(() -> load(null, "model.preset=curiousity"))
        .hasMessageContaining("model.preset").hasMessageContaining("curiosity, curiosity-small, curiosity-large, autoencoder");
    assertThatThrownBy(() -> load(null, "model.input_size=32")).hasMessageContaining("at least 36");
    assertThatThrownBy(() -> load(null, "fd.window=4000")).hasMessageContaining("fd.window");
    assertThatThrownBy(() -> load(null, "vae.buffer=1000000", "fd.buffer=1000000"))
        .hasMessageContaining("data buffers would hold")
        .hasMessageContaining("fd.buffer=1000000 needs")
        .hasMessageContaining("-Xmx");
    Path file = dir.resolve("mine.yaml");
    Files.writeString(file, "model:\n  preset: curiosity\n");
    Files.createDirectories(dir.resolve("models"));
    Files.writeString(dir.resolve("models").resolve("curiosity.yaml"), "model:\n  preset: autoencoder\n");
    assertThatThrownBy(() -> load(file)).hasMessageContaining("must not set model.preset");
  }

  @Test
  @DisplayName("system.seed seeds the agent, the trainers and the world's start, unless their own key is given")
  void oneSeed() throws Exception {
    AmiConfig defaults = load(null);
    assertThat(defaults.getLong("system.seed")).isEqualTo(1);
    assertThat(defaults.getLong("agent.seed")).isEqualTo(1);
    assertThat(defaults.getLong("trainer.seed")).as("the trainers' seed before there was a system seed").isEqualTo(7);
    assertThat(defaults.getLong("sim.seed")).isEqualTo(1);
    AmiConfig five = load(null, "system.seed=5");
    assertThat(five.getLong("agent.seed")).isEqualTo(5);
    assertThat(five.getLong("trainer.seed")).isEqualTo(11);
    assertThat(five.getLong("sim.seed")).isEqualTo(5);
    AmiConfig given = load(null, "system.seed=5", "agent.seed=42");
    assertThat(given.getLong("agent.seed")).as("a seed written on the command line stays").isEqualTo(42);
    assertThat(given.getLong("trainer.seed")).isEqualTo(11);
    Path file = dir.resolve("seeded.yaml");
    Files.writeString(file, "system:\n  seed: 9\nsim:\n  seed: 3\n");
    AmiConfig fromFile = load(file);
    assertThat(fromFile.getLong("agent.seed")).isEqualTo(9);
    assertThat(fromFile.getLong("sim.seed")).as("a seed written in the file stays").isEqualTo(3);
  }

  @Test
  @DisplayName("one novelty at a time in the reward: episodic memory or lifelong view counts")
  void oneNovelty() throws Exception {
    assertThatThrownBy(() -> load(null, "reward.episodic_memory=2400",
        "reward.count_bits=10")).isInstanceOf(ConfigException.class).hasMessageContaining("reward.count_bits");
    assertThat(dev.ami.config.RewardOptions.from(load(null, "reward.count_bits=10")).countBits()).isEqualTo(10);
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
