package dev.ami.kind;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ami.agent.Brain;
import dev.ami.agent.CuriosityBrain;
import dev.ami.bus.ModelKeys;
import dev.ami.config.AgentOptions;
import dev.ami.config.AmiConfig;
import dev.ami.config.BufferMemory;
import dev.ami.config.ConfigException;
import dev.ami.config.FdOptions;
import dev.ami.config.KindRules;
import dev.ami.config.PolicyOptions;
import dev.ami.config.PpoOptions;
import dev.ami.config.RewardOptions;
import dev.ami.config.RunOptions;
import dev.ami.config.TrainingOptions;
import dev.ami.config.VaeOptions;
import dev.ami.data.Buffers;
import dev.ami.memory.ModelMemory;
import dev.ami.model.DynamicsBlock;
import dev.ami.model.DynamicsSpec;
import dev.ami.model.PolicyValue;
import dev.ami.model.VaeDecoder;
import dev.ami.model.VaeEncoder;
import dev.ami.model.VaeSpec;
import dev.ami.params.ParamSnapshot;
import dev.ami.training.DynamicsTrainer;
import dev.ami.training.ModelTrainer;
import dev.ami.training.PpoTrainer;
import dev.ami.training.VaeTrainer;
import io.vertx.core.shareddata.LocalMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * ami's agent: a VAE encodes the frame, a forward model predicts the next latent, and PPO learns from the
 * forward model's surprise (docs/models.md). With {@code reward.features=random} a fixed random encoder takes
 * the VAE's place and no VAE is trained.
 */
public final class CuriosityKind implements AgentKind {
  @Override
  public String name() {
    return "curiosity";
  }

  @Override
  public void verify(AmiConfig c) {
    int side = RunOptions.from(c).inputSize();
    if (side < 36) {
      throw new ConfigException("invalid value " + side + " for model.input_size: SmallConvNet needs at least 36");
    }
    KindRules.notAbove(c, "vae.min_buffer", "vae.buffer");
    KindRules.notAbove(c, "vae.batch", "vae.buffer");
    KindRules.notAbove(c, "fd.min_buffer", "fd.buffer");
    FdOptions fd = FdOptions.from(c);
    if (fd.window() + 1 > fd.train().buffer()) {
      throw new ConfigException("fd.window (" + fd.window() + ") + 1 must not exceed fd.buffer ("
          + fd.train().buffer() + ")");
    }
    KindRules.notAbove(c, "policy.batch", "policy.rollout");
    PolicyOptions policy = PolicyOptions.from(c);
    if (policy.ppo().rollout() + 1 > policy.buffer()) {
      throw new ConfigException("policy.rollout (" + policy.ppo().rollout() + ") + 1 must not exceed "
          + "policy.buffer (" + policy.buffer() + ")");
    }
  }

  @Override
  public Map<String, Long> bufferBytes(AmiConfig c) {
    long frame = BufferMemory.frameBytes(c);
    long hidden = (long) Specs.dynamics(c).hiddenSize() * Float.BYTES;
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("vae.buffer", VaeOptions.from(c).train().buffer() * frame);
    out.put("fd.buffer", FdOptions.from(c).train().buffer() * (frame + hidden)); // each step with its hidden state
    out.put("policy.buffer", PolicyOptions.from(c).buffer() * frame);
    return out;
  }

  @Override
  public Map<String, String> specs(AmiConfig c) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(ModelKeys.VAE, Specs.vae(c).toString());
    out.put(ModelKeys.FD, Specs.dynamics(c).toString());
    out.put(ModelKeys.POLICY, Specs.policy(c).toString());
    return out;
  }

  @Override
  public Brain brain(AmiConfig c, LocalMap<String, ParamSnapshot> params) {
    AgentOptions agent = AgentOptions.from(c);
    boolean greedy = RunOptions.from(c).eval() && agent.greedyEval();
    return new CuriosityBrain(Specs.vae(c), Specs.dynamics(c), Specs.policy(c), RewardOptions.from(c),
        agent.seed(), params, greedy);
  }

  @Override
  public Buffers buffers(AmiConfig c) {
    return Buffers.withSteps(bufferLayout(c), Specs.vae(c).frameSize(), Specs.dynamics(c).hiddenSize(),
        VaeOptions.from(c).train().buffer(), FdOptions.from(c).train().buffer(), PolicyOptions.from(c).buffer(),
        TrainingOptions.from(c).seed());
  }

  @Override
  public String bufferLayout(AmiConfig c) {
    return name() + "@" + RunOptions.from(c).inputSize() + "/" + VaeOptions.from(c).train().buffer() + "/"
        + FdOptions.from(c).train().buffer() + "/" + PolicyOptions.from(c).buffer() + "/h" + Specs.dynamics(c).hiddenSize();
  }

  @Override
  public List<ModelTrainer> trainers(AmiConfig c, Buffers buffers, LocalMap<String, ParamSnapshot> params) {
    long seed = TrainingOptions.from(c).seed();
    VaeOptions vaeOptions = VaeOptions.from(c);
    FdOptions fd = FdOptions.from(c);
    VaeSpec vae = Specs.vae(c);
    boolean random = randomFeatures(c);
    List<Supplier<ModelTrainer>> builders = new ArrayList<>();
    if (!random) { // with random features the reward's latents come from a fixed encoder: no VAE to train
      builders.add(() -> new VaeTrainer(vae, vaeOptions.train(), vaeOptions.klWeight(), buffers.frames(), seed));
    }
    builders.add(() -> new DynamicsTrainer(Specs.dynamics(c), vae, fd.train(), fd.window(), fd.windowsPerEpoch(),
        buffers.steps(),
        random ? null : () -> params.get(ModelKeys.VAE), seed + 1, RewardOptions.featureSeed(seed)));
    builders.add(() -> new PpoTrainer(Specs.policy(c), PpoOptions.from(c), buffers.rollouts(), seed + 2));
    List<ModelTrainer> built = new ArrayList<>();
    try {
      for (Supplier<ModelTrainer> b : builders) {
        built.add(b.get());
      }
      return List.copyOf(built);
    } catch (RuntimeException e) {
      built.forEach(ModelTrainer::close); // their native memory must not outlive a failed build
      throw e;
    }
  }

  @Override
  public Map<String, Integer> bufferCapacities(AmiConfig c) {
    Map<String, Integer> out = new LinkedHashMap<>();
    out.put(ModelKeys.VAE, VaeOptions.from(c).train().buffer());
    out.put(ModelKeys.FD, FdOptions.from(c).train().buffer());
    out.put(ModelKeys.POLICY, PolicyOptions.from(c).ppo().rollout() + 1); // PPO learns from one rollout and its bootstrap step
    return out;
  }

  @Override
  public Map<String, Map<String, List<List<Long>>>> snapshotShapes(AmiConfig c) {
    VaeSpec vae = Specs.vae(c);
    DynamicsSpec fd = Specs.dynamics(c);
    List<List<Long>> encoder = SnapshotShapes.of(() -> new VaeEncoder(vae), vae.frameShape(1));
    Map<String, Map<String, List<List<Long>>>> out = new LinkedHashMap<>();
    Map<String, List<List<Long>>> dynamics = new TreeMap<>();
    dynamics.put("model", SnapshotShapes.of(() -> DynamicsBlock.of(fd), DynamicsBlock.of(fd).inputShapes(1, 1)));
    if (!randomFeatures(c)) { // a fixed random encoder is rebuilt from its seed, never published
      out.put(ModelKeys.VAE, new TreeMap<>(Map.of("encoder", encoder,
          "decoder", SnapshotShapes.of(() -> new VaeDecoder(vae), new Shape(1, vae.latent())))));
      dynamics.put(ModelKeys.FD_ENCODER, encoder); // the encoder the forward model was trained against
    }
    out.put(ModelKeys.FD, dynamics);
    Map<String, List<List<Long>>> policy = new TreeMap<>();
    policy.put("model", SnapshotShapes.of(() -> new PolicyValue(Specs.policy(c)), Specs.policy(c).frameShape(1)));
    policy.put(PpoTrainer.REWARD_STATS, SnapshotShapes.vector(PpoTrainer.REWARD_STATS_SIZE));
    policy.put(PpoTrainer.ENTROPY_WEIGHTS, SnapshotShapes.vector(PpoTrainer.ENTROPY_WEIGHTS_SIZE));
    out.put(ModelKeys.POLICY, policy);
    return out;
  }

  @Override
  public List<ModelMemory> memory(AmiConfig c, NDManager m) {
    return CuriosityMemory.estimate(c, m, bufferBytes(c));
  }

  @Override
  public String encoderKey() {
    return ModelKeys.VAE;
  }

  @Override
  public Optional<VaeSpec> preview(AmiConfig c) {
    return Optional.of(Specs.vae(c)); // the VAE's decoder draws the forward model's predicted latent
  }

  static boolean randomFeatures(AmiConfig c) {
    return RewardOptions.from(c).randomFeatures();
  }
}
