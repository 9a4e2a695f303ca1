package dev.ami.kind;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.ami.config.AmiConfig;
import dev.ami.config.Schema;
import dev.ami.data.Buffers;
import dev.ami.model.ActionHeads;
import dev.ami.support.TestRuntime;
import dev.ami.training.ModelTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each kind's word on its models, checked against what it builds: the trainers' parameters and the buffers. */
class AgentKindTest {
  /** Both kinds, and the curiosity agent's variants whose snapshots differ: ResNetFD, random features. */
  static Stream<Arguments> configs() {
    return Stream.of(
        Arguments.of("curiosity", TestRuntime.smallConfig(Map.of())),
        Arguments.of("curiosity, resnet", TestRuntime.smallConfig(Map.of("fd.kind", "resnet"))),
        Arguments.of("curiosity, random features", TestRuntime.smallConfig(Map.of("reward.features", "random"))),
        Arguments.of("autoencoder", TestRuntime.smallConfig(Map.of("model.preset", "autoencoder"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  @DisplayName("the snapshot shapes derived from the specs are those of the parameters of the trainers' models")
  void shapesAreTheTrainers(String name, AmiConfig c) {
    AgentKind kind = AgentKinds.of(c);
    Map<String, Map<String, List<List<Long>>>> built = new LinkedHashMap<>();
    List<ModelTrainer> trainers = kind.trainers(c, kind.buffers(c), null);
    try {
      for (ModelTrainer t : trainers) {
        Map<String, List<List<Long>>> groups = new TreeMap<>();
        t.groups().forEach((group, block) -> groups.put(group, shapes(block)));
        built.put(t.key(), groups);
      }
    } finally {
      trainers.forEach(ModelTrainer::close);
    }
    Map<String, Map<String, List<List<Long>>>> derived = kind.snapshotShapes(c);
    assertThat(derived).isEqualTo(built);
    assertThat(List.copyOf(derived.keySet())).as("training order").isEqualTo(List.copyOf(built.keySet()));
    assertThat(kind.specs(c).keySet()).containsAll(built.keySet());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  @DisplayName("the buffers a kind allocates have the capacities, layout and bytes its memory check counts")
  void buffersAsCounted(String name, AmiConfig c) {
    AgentKind kind = AgentKinds.of(c);
    Buffers b = kind.buffers(c);
    Map<String, Long> bytes = kind.bufferBytes(c);
    int side = c.getInt("model.input_size");
    long frame = 3L * side * side + 64; // pixels and a slot's bookkeeping, as before the kinds
    if (b.steps() == null) {
      assertThat(b.frames().capacity()).isEqualTo(c.getInt("ae.buffer"));
      assertThat(bytes).isEqualTo(Map.of("ae.buffer", c.getInt("ae.buffer") * frame));
      assertThat(b.layout()).isEqualTo("autoencoder@" + side + "/" + c.getInt("ae.buffer"));
    } else {
      int hidden = c.getString("fd.kind").equals("resnet") ? ActionHeads.TOTAL : 2 * c.getInt("fd.depth") * c.getInt("fd.width");
      assertThat(b.frames().capacity()).isEqualTo(c.getInt("vae.buffer"));
      assertThat(b.steps().capacity()).isEqualTo(c.getInt("fd.buffer"));
      assertThat(b.rollouts().capacity()).isEqualTo(c.getInt("policy.buffer"));
      assertThat(bytes).containsExactly(Map.entry("vae.buffer", c.getInt("vae.buffer") * frame),
          Map.entry("fd.buffer", c.getInt("fd.buffer") * (frame + 4L * hidden)),
          Map.entry("policy.buffer", c.getInt("policy.buffer") * frame));
      assertThat(b.layout()).isEqualTo("curiosity@" + side + "/" + c.getInt("vae.buffer") + "/"
          + c.getInt("fd.buffer") + "/" + c.getInt("policy.buffer") + "/h" + hidden);
    }
    assertThat(kind.bufferLayout(c)).isEqualTo(b.layout());
  }

  @Test
  @DisplayName("every kind the schema offers is registered, with a preset of its name in conf/models that selects it")
  void everyKindIsRegistered() throws IOException {
    List<String> names = AgentKinds.all().stream().map(AgentKind::name).toList();
    assertThat(names).containsExactlyInAnyOrderElementsOf(Schema.settings().get("model.kind").choices());
    for (String n : names) {
      Path preset = Path.of("conf", "models", n + ".yaml");
      assertThat(Files.readString(preset)).as(preset.toString()).containsPattern("(?m)^  kind: " + n + "$");
    }
  }

  private static List<List<Long>> shapes(Block block) {
    List<List<Long>> out = new ArrayList<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      List<Long> dims = new ArrayList<>();
      for (long d : p.getValue().getArray().getShape().getShape()) {
        dims.add(d);
      }
      out.add(dims);
    }
    return out;
  }
}
