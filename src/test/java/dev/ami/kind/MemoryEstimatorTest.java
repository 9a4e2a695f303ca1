package dev.ami.kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ami.checkpoint.ModelShapes;
import dev.ami.config.AmiConfig;
import dev.ami.config.ConfigException;
import dev.ami.memory.MemoryBudget;
import dev.ami.memory.ModelMemory;
import dev.ami.support.TestRuntime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The memory estimate of the configured models, and the budget that refuses what would not fit. */
class MemoryEstimatorTest {
  private static AmiConfig config(Map<String, Object> overrides) {
    return TestRuntime.smallConfig(overrides);
  }

  private static Map<String, ModelMemory> byModel(List<ModelMemory> list) {
    Map<String, ModelMemory> out = new HashMap<>();
    list.forEach(m -> out.put(m.model(), m));
    return out;
  }

  @Test
  @DisplayName("parameter counts are those of the snapshots the kind describes, for every model of both agents")
  void paramsMatchTheTrainers() {
    for (AmiConfig c : List.of(config(Map.of()), config(Map.of("model.preset", "autoencoder",
        "model.input_size", 48)))) {
      Map<String, Map<String, List<List<Long>>>> shapes = ModelShapes.of(c);
      Map<String, ModelMemory> estimate = byModel(MemoryEstimator.estimate(c));
      assertThat(estimate.keySet()).isEqualTo(shapes.keySet());
      shapes.forEach((model, groups) -> {
        long counted = groups.values().stream().flatMap(List::stream)
            .mapToLong(dims -> dims.stream().reduce(1L, (a, b) -> a * b)).sum();
        assertThat(estimate.get(model).params()).as(model).isEqualTo(counted);
      });
    }
  }

  @Test
  @DisplayName("optimizer state is two moments and gradients one value per parameter; the buffer is its capacity")
  void partsFollowFromTheCounts() {
    Map<String, ModelMemory> m = byModel(MemoryEstimator.estimate(config(Map.of())));
    ModelMemory vae = m.get("vae");
    double mib = 1024.0 * 1024.0;
    assertThat(vae.paramsMb()).isCloseTo(vae.params() * 4 / mib, within(1e-9));
    assertThat(vae.optimizerMb()).isCloseTo(2 * vae.paramsMb(), within(1e-9));
    assertThat(vae.gradientsMb()).isCloseTo(vae.paramsMb(), within(1e-9));
    AmiConfig c = config(Map.of());
    int side = c.getInt("model.input_size");
    assertThat(vae.bufferMb()).isCloseTo(c.getInt("vae.buffer") * (3.0 * side * side + 64) / mib, within(1e-9));
    assertThat(vae.estimateMb()).isCloseTo(vae.parts().values().stream().mapToDouble(Double::doubleValue).sum(),
        within(1e-9));
    ModelMemory fd = m.get("fd");
    assertThat(fd.copiesMb()).as("snapshot and its spare, and the agent's two copies of the model and its encoder")
        .isCloseTo(4 * fd.paramsMb(), within(1e-9));
    assertThat(fd.gradientsMb()).as("the encoder it carries is frozen: no gradient, no optimizer state")
        .isLessThan(fd.paramsMb());
    assertThat(fd.optimizerMb()).isCloseTo(2 * fd.gradientsMb(), within(1e-9));
  }

  @Test
  @DisplayName("measured activations grow with the training batch")
  void activationsGrowWithTheBatch() {
    double[] mb = new double[3];
    int[] batches = {4, 64, 256};
    for (int i = 0; i < 3; i++) {
      mb[i] = byModel(MemoryEstimator.estimate(config(Map.of("policy.batch", batches[i], "policy.rollout", 256,
          "policy.buffer", 512)))).get("policy").activationsMb();
    }
    System.out.printf("policy activations at batch 4/64/256: %.3f / %.3f / %.3f MiB%n", mb[0], mb[1], mb[2]);
    assertThat(mb[0]).isPositive();
    assertThat(mb[2] / mb[1]).as("256 vs 64 frames").isGreaterThan(2.5);
  }

  @Test
  @DisplayName("a configuration over the budget is refused naming the budget and the biggest consumers; within it, "
      + "it passes")
  void budget() {
    AmiConfig tight = config(Map.of("system.memory_budget_mb", 501, "vae.buffer", 20_000, "vae.min_buffer", 16));
    List<ModelMemory> models = MemoryEstimator.estimate(tight);
    assertThatThrownBy(() -> MemoryBudget.verify(tight, models)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("budget of 501 MiB").hasMessageContaining("biggest: vae buffer");
    AmiConfig roomy = config(Map.of());
    MemoryBudget.verify(roomy, MemoryEstimator.estimate(roomy));
    assertThat(MemoryBudget.budgetMb(roomy)).isCloseTo(0.8 * MemoryBudget.physicalMb(), within(1.0));
  }
}
