package dev.ami.kind;

import ai.djl.ndarray.NDManager;
import dev.ami.agent.Brain;
import dev.ami.config.AmiConfig;
import dev.ami.config.KindRules;
import dev.ami.data.Buffers;
import dev.ami.memory.ModelMemory;
import dev.ami.model.VaeSpec;
import dev.ami.params.ParamSnapshot;
import dev.ami.training.ModelTrainer;
import io.vertx.core.shareddata.LocalMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One kind of agent ({@code model.kind}): everything that differs between kinds, said in one place. Its models
 * (specs from the config, {@link Specs}), the brain the agent runs, the trainers and the buffers they learn from,
 * the shapes of its snapshots, its memory estimate and the console's preview. A kind holds no state; it is
 * registered in META-INF/services/dev.ami.config.KindRules (docs/architecture.md, "How to add a model kind").
 */
public interface AgentKind extends KindRules {
  /** Each model's spec in words, by model key in training order, as a checkpoint's manifest names it. */
  Map<String, String> specs(AmiConfig c);

  /** The brain the agent ticks with; built on the agent's own thread. */
  Brain brain(AmiConfig c, LocalMap<String, ParamSnapshot> params);

  /** The buffers the trainers learn from, sized as the config asks (frames are allocated at once). */
  Buffers buffers(AmiConfig c);

  /** What {@link #buffers} would look like, without allocating them: equal layouts can take over each other's data. */
  String bufferLayout(AmiConfig c);

  /** The trainers, in round-robin order; if one fails to build, those built before it are closed. */
  List<ModelTrainer> trainers(AmiConfig c, Buffers buffers, LocalMap<String, ParamSnapshot> params);

  /** Each model's buffer capacity as the console shows it, by model key in the order the page lists them. */
  Map<String, Integer> bufferCapacities(AmiConfig c);

  /**
   * The parameter shapes of every snapshot the trainers publish: model key (training order) → group name
   * (sorted) → shapes, in parameter order. Derived from the specs: blocks alone are built, no trainer.
   */
  Map<String, Map<String, List<List<Long>>>> snapshotShapes(AmiConfig c);

  /** One memory estimate per model the config trains, in round-robin order; blocks are built under {@code m}. */
  List<ModelMemory> memory(AmiConfig c, NDManager m);

  /** The model whose losses a benchmark reports as the run's first and last: the kind's encoder. */
  String encoderKey();

  /** The VAE whose decoder draws the console's expected next frame; empty when nothing predicts a latent. */
  Optional<VaeSpec> preview(AmiConfig c);
}
