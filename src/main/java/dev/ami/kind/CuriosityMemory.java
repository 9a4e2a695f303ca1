package dev.ami.kind;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ami.bus.ModelKeys;
import dev.ami.config.AmiConfig;
import dev.ami.config.FdOptions;
import dev.ami.config.PolicyOptions;
import dev.ami.config.RewardOptions;
import dev.ami.config.VaeOptions;
import dev.ami.memory.ModelMemory;
import dev.ami.memory.ModelProbe;
import dev.ami.model.DynamicsBlock;
import dev.ami.model.DynamicsSpec;
import dev.ami.model.PolicySpec;
import dev.ami.model.PolicyValue;
import dev.ami.model.VaeDecoder;
import dev.ami.model.VaeEncoder;
import dev.ami.model.VaeSpec;
import dev.ami.training.PpoTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The curiosity agent's memory estimate: its three models, and who keeps which copies of them. */
final class CuriosityMemory {
  private CuriosityMemory() {
  }

  static List<ModelMemory> estimate(AmiConfig c, NDManager manager, Map<String, Long> buffers) {
    VaeSpec vae = Specs.vae(c);
    DynamicsSpec fd = Specs.dynamics(c);
    PolicySpec policy = Specs.policy(c);
    int window = FdOptions.from(c).window();
    List<ModelMemory> out = new ArrayList<>();
    long encoder = ModelProbe.params(manager, () -> new VaeEncoder(vae), vae.frameShape(1));
    long decoder = ModelProbe.params(manager, () -> new VaeDecoder(vae), new Shape(1, vae.latent()));
    double vaeAct = ModelProbe.activations(manager, () -> new VaeEncoder(vae), vae.frameShape(VaeOptions.from(c).train().batch()))
        + ModelProbe.activations(manager, () -> new VaeDecoder(vae), new Shape(VaeOptions.from(c).train().batch(), vae.latent()));
    boolean randomFeatures = CuriosityKind.randomFeatures(c);
    boolean paired = !randomFeatures && RewardOptions.from(c).pairedEncoder();
    // snapshot and its spare 2x, agent 2x encoder (unless it takes the forward model's), the preview's decoder
    // 1x (fd's frozen encoder is fd's own)
    long vaeCopies = ModelProbe.SNAPSHOTS * (encoder + decoder) + (paired ? 0 : 2 * encoder) + decoder;
    if (!randomFeatures) { // with random features no VAE is trained or published
      out.add(ModelProbe.model(ModelKeys.VAE, encoder + decoder, vaeCopies, vaeAct, buffers.get("vae.buffer")));
    }
    DynamicsBlock shapes = DynamicsBlock.of(fd);
    long dynamics = ModelProbe.params(manager, () -> DynamicsBlock.of(fd), shapes.inputShapes(1, 1));
    double fdAct = ModelProbe.activations(manager, () -> DynamicsBlock.of(fd), shapes.inputShapes(1, window))
        + ModelProbe.activations(manager, () -> new VaeEncoder(vae), vae.frameShape(window + 1))
        / ModelProbe.BACKWARD; // no grad
    // with the VAE's latents the frozen encoder it was trained against is part of fd's parameters (a snapshot
    // group; no gradient, no optimizer state); with random features it is a fixed encoder the trainer and the
    // agent each build, outside every snapshot
    long fdParams = dynamics + (randomFeatures ? 0 : encoder);
    // snapshot and spare, the agent's two (its encoder only when it takes the pair)
    long fdCopies = ModelProbe.SNAPSHOTS * fdParams + 2 * dynamics + (randomFeatures || paired ? 2 * encoder : 0);
    out.add(ModelProbe.model(ModelKeys.FD, fdParams, dynamics, fdCopies, fdAct, buffers.get("fd.buffer")));
    long pv = ModelProbe.params(manager, () -> new PolicyValue(policy), policy.frameShape(1));
    double policyAct = ModelProbe.activations(manager, () -> new PolicyValue(policy),
        policy.frameShape(PolicyOptions.from(c).ppo().batch()));
    // the reward normaliser and the entropy weights travel with it
    long policyParams = pv + PpoTrainer.REWARD_STATS_SIZE + PpoTrainer.ENTROPY_WEIGHTS_SIZE;
    out.add(ModelProbe.model(ModelKeys.POLICY, policyParams, (ModelProbe.SNAPSHOTS + 2) * policyParams, policyAct,
        buffers.get("policy.buffer")));
    return out;
  }
}
