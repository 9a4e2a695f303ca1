package dev.ami.bench;

import dev.ami.agent.AutoencoderBrain;
import dev.ami.agent.Brain;
import dev.ami.agent.CuriosityBrain;
import dev.ami.bus.ModelKeys;
import dev.ami.bus.StepRecord;
import dev.ami.config.AeOptions;
import dev.ami.config.AmiConfig;
import dev.ami.config.FdOptions;
import dev.ami.config.PolicyOptions;
import dev.ami.config.PpoOptions;
import dev.ami.config.RewardOptions;
import dev.ami.config.RunOptions;
import dev.ami.config.TrainerOptions;
import dev.ami.config.TrainingOptions;
import dev.ami.config.VaeOptions;
import dev.ami.data.FrameBuffer;
import dev.ami.data.Rollouts;
import dev.ami.data.StepBuffer;
import dev.ami.kind.Specs;
import dev.ami.model.ActionHeads;
import dev.ami.model.DynamicsSpec;
import dev.ami.model.ModelSpec;
import dev.ami.model.VaeSpec;
import dev.ami.params.ParamPublisher;
import dev.ami.params.ParamSnapshot;
import dev.ami.training.AeTrainer;
import dev.ami.training.DynamicsTrainer;
import dev.ami.training.ModelTrainer;
import dev.ami.training.PpoTrainer;
import dev.ami.training.VaeTrainer;
import io.vertx.core.shareddata.LocalMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The trainers of {@code bench-train}, each on synthetic data of the shape the runtime feeds it (noise frames,
 * random actions and rewards), and the brain that runs the model at batch 1 as the agent does.
 */
final class TrainWorkloads {
  /** The issue #5 reference: 3x64x64 input, widths 32/64/128, latent 256 (batch 32). */
  static final ModelSpec REFERENCE = new ModelSpec(64, 32, 256);
  private static final int DATA = 256;

  private TrainWorkloads() {
  }

  /** A trainer for {@code model} (ae, reference, vae, fd, policy) with its data already there. */
  static ModelTrainer trainer(String model, AmiConfig c, int batch, LocalMap<String, ParamSnapshot> params) {
    long seed = TrainingOptions.from(c).seed();
    SplittableRandom random = new SplittableRandom(seed);
    int side = RunOptions.from(c).inputSize();
    return switch (model) {
      case "ae", "reference" -> {
        ModelSpec spec = model.equals("ae") ? Specs.autoencoder(c) : REFERENCE;
        FrameBuffer frames = frames(4 * batch, spec.inputSize(), random);
        yield new AeTrainer(spec, new TrainerOptions(batch, AeOptions.from(c).train().lr(), 0, 1, frames.capacity(), 1, 0,
            1_000_000), frames, seed);
      }
      case ModelKeys.VAE -> new VaeTrainer(Specs.vae(c), VaeOptions.from(c).train().withBatch(batch),
          VaeOptions.from(c).klWeight(), frames(DATA, side, random), seed);
      case ModelKeys.FD -> {
        VaeSpec vae = Specs.vae(c);
        try (VaeTrainer encoder = new VaeTrainer(vae, VaeOptions.from(c).train().withBatch(1), 0,
            frames(1, side, random), seed); ParamPublisher vaes = new ParamPublisher(ModelKeys.VAE, params, 0)) {
          vaes.publish(encoder.groups(), 0); // the frozen encoder's source
        }
        DynamicsSpec fd = Specs.dynamics(c);
        StepBuffer steps = new StepBuffer(DATA, 3 * side * side, fd.hiddenSize());
        for (int i = 0; i < DATA; i++) {
          steps.add(step(i, side, fd.hiddenSize(), random));
        }
        yield new DynamicsTrainer(fd, vae, FdOptions.from(c).train(), FdOptions.from(c).window(),
            FdOptions.from(c).windowsPerEpoch(), steps, () -> params.get(ModelKeys.VAE), seed);
      }
      case ModelKeys.POLICY -> {
        PpoOptions ppo = PpoOptions.from(c);
        Rollouts rollouts = new Rollouts(ppo.rollout() + 1);
        for (int i = 0; i <= ppo.rollout(); i++) {
          rollouts.add(step(i, side, 0, random));
        }
        yield new PpoTrainer(Specs.policy(c), ppo.withBatch(batch), rollouts, seed);
      }
      default -> throw new IllegalArgumentException(model);
    };
  }

  /** The agent's brain for {@code model}'s agent, with nothing published (its own initial weights). */
  static Brain brain(String model, AmiConfig c, LocalMap<String, ParamSnapshot> params) {
    return switch (model) {
      case "ae" -> new AutoencoderBrain(Specs.autoencoder(c), 1, params);
      case "reference" -> new AutoencoderBrain(REFERENCE, 1, params);
      default -> new CuriosityBrain(Specs.vae(c), Specs.dynamics(c), Specs.policy(c), RewardOptions.from(c), 1,
          params);
    };
  }

  /** Which of the brain's per-model compute times belongs to {@code model}. */
  static int computeIndex(String model) {
    return switch (model) {
      case ModelKeys.POLICY -> 1;
      case ModelKeys.FD -> 2;
      default -> 0;
    };
  }

  /** The batch the runtime trains {@code model} with. */
  static int configuredBatch(String model, AmiConfig c) {
    return switch (model) {
      case "reference" -> 32;
      case "ae" -> AeOptions.from(c).train().batch();
      case ModelKeys.VAE -> VaeOptions.from(c).train().batch();
      case ModelKeys.POLICY -> PolicyOptions.from(c).ppo().batch();
      default -> 1; // fd: one window of fd.window steps
    };
  }

  static float[] noise(int n, SplittableRandom random) {
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) random.nextDouble();
    }
    return f;
  }

  private static FrameBuffer frames(int n, int side, SplittableRandom random) {
    FrameBuffer b = new FrameBuffer(n, 3 * side * side, random.nextLong());
    for (int i = 0; i < n; i++) {
      b.add(bytes(3 * side * side, random), false);
    }
    return b;
  }

  private static byte[] bytes(int n, SplittableRandom random) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return b;
  }

  /** A step as the curiosity agent sends it, with random contents. */
  private static StepRecord step(int tick, int side, int hidden, SplittableRandom random) {
    int[] action = new int[ActionHeads.COUNT];
    float[] logp = new float[ActionHeads.COUNT];
    for (int h = 0; h < ActionHeads.COUNT; h++) {
      action[h] = random.nextInt(ActionHeads.SIZES[h]);
      logp[h] = (float) -Math.log(ActionHeads.SIZES[h]);
    }
    float[] state = new float[hidden];
    for (int i = 0; i < hidden; i++) {
      state[i] = (float) random.nextGaussian() * 0.1f;
    }
    return new StepRecord(tick, bytes(3 * side * side, random), side, action, logp, (float) random.nextGaussian(),
        (float) random.nextGaussian(), state, false, tick == 0, Map.of(), System.currentTimeMillis());
  }
}
