package dev.ami.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import dev.ami.bus.ModelKeys;
import dev.ami.config.RewardOptions;
import dev.ami.env.Frame;
import dev.ami.model.DynamicsSpec;
import dev.ami.model.ForwardDynamics;
import dev.ami.model.PolicySpec;
import dev.ami.model.PolicyValue;
import dev.ami.model.RandomFeatures;
import dev.ami.model.VaeEncoder;
import dev.ami.model.VaeSpec;
import dev.ami.params.ParamFollower;
import dev.ami.params.ParamPublisher;
import dev.ami.params.ParamSnapshot;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The curiosity brain's reward at the edges: a VAE swapped in between the two ticks of a step (the latents would
 * come from two encoders), and the fixed random encoder that agent and trainer each build from one seed.
 */
@DisplayName("the curiosity brain's reward across encoder swaps, and with random features")
class CuriosityBrainTest {
  private static final VaeSpec VAE = new VaeSpec(48, 8, 16, 16);
  private static final DynamicsSpec FD = new DynamicsSpec(16, 1, 16, 16, 0, 4);
  private static final PolicySpec POLICY = new PolicySpec(48, 8, 16);

  private Vertx vertx;
  private LocalMap<String, ParamSnapshot> params;
  private NDManager manager;
  private ParamPublisher vaePublisher;
  private ParamPublisher fdPublisher;
  private ForwardDynamics fd;
  private PolicyValue policy;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    params = vertx.sharedData().getLocalMap("brain-test");
    manager = NDManager.newBaseManager();
    vaePublisher = new ParamPublisher(ModelKeys.VAE, params, 0);
    VaeEncoder encoder = new VaeEncoder(VAE);
    encoder.initialize(manager, DataType.FLOAT32, VAE.frameShape(1));
    vaePublisher.publish(Map.of("encoder", encoder), 0);
    fd = new ForwardDynamics(FD);
    fd.initialize(manager, DataType.FLOAT32, fd.inputShapes(1, 1));
    fdPublisher = new ParamPublisher(ModelKeys.FD, params, 0);
    fdPublisher.publish(Map.of("model", fd), 0); // as a checkpoint from before the forward model carried its encoder
    policy = new PolicyValue(POLICY);
    policy.initialize(manager, DataType.FLOAT32, POLICY.frameShape(1));
    new ParamPublisher(ModelKeys.POLICY, params, 0).publish(Map.of("model", policy), 0);
  }

  @AfterEach
  void tearDown() {
    params.values().forEach(ParamSnapshot::release);
    vaePublisher.close();
    fdPublisher.close();
    manager.close();
    vertx.close();
  }

  @Test
  @DisplayName("a step whose two ticks ran different encoder versions gets no reward (it still goes to the buffers)")
  void noRewardAcrossAnEncoderSwap() {
    CuriosityBrain brain = new CuriosityBrain(VAE, FD, POLICY, new RewardOptions(1, 0, true, false, 0), 3, params);
    try {
      takeUp(brain);
      SplittableRandom random = new SplittableRandom(1);
      brain.decide(frame(random, 1), 1, false);
      Decision same = brain.decide(frame(random, 2), 2, false);
      assertThat(same.reward()).as("both latents from encoder v1").isFinite();
      assertThat(same.completed().reward()).isFinite();

      republishEncoder();
      takeUp(brain);
      Decision across = brain.decide(frame(random, 3), 3, false);
      assertThat(across.reward()).as("z(t+1) from v2, the prediction from v1's latent").isNaN();
      assertThat(across.completed()).as("the step still trains the encoder and the forward model").isNotNull();
      assertThat(across.completed().reward()).isNaN();
      assertThat(across.completed().versions().get(ModelKeys.VAE)).isEqualTo(1L);
      assertThat(brain.encoderSwapSteps()).isEqualTo(1);

      Decision after = brain.decide(frame(random, 4), 4, false);
      assertThat(after.reward()).as("both from v2 again").isFinite();
    } finally {
      brain.close();
    }
  }

  @Test
  @DisplayName("with skip_encoder_swaps off, the step across a swap is rewarded as before")
  void rewardAcrossASwapWhenAsked() {
    CuriosityBrain brain = new CuriosityBrain(VAE, FD, POLICY, new RewardOptions(1, 0, false, false, 0), 3, params);
    try {
      takeUp(brain);
      SplittableRandom random = new SplittableRandom(1);
      brain.decide(frame(random, 1), 1, false);
      republishEncoder();
      takeUp(brain);
      assertThat(brain.decide(frame(random, 2), 2, false).reward()).isFinite();
      assertThat(brain.encoderSwapSteps()).isZero();
    } finally {
      brain.close();
    }
  }

  @Test
  @DisplayName("random features: no VAE to follow; two brains of one seed compute the same reward, another seed not")
  void randomFeatures() {
    RewardOptions random7 = new RewardOptions(1, 0, true, true, RewardOptions.featureSeed(7));
    CuriosityBrain a = new CuriosityBrain(VAE, FD, POLICY, random7, 3, params);
    CuriosityBrain b = new CuriosityBrain(VAE, FD, POLICY, random7, 3, params);
    CuriosityBrain c = new CuriosityBrain(VAE, FD, POLICY, new RewardOptions(1, 0, true, true, RewardOptions.featureSeed(8)),
        3, params);
    try {
      for (CuriosityBrain brain : List.of(a, b, c)) {
        assertThat(brain.followers()).extracting(ParamFollower::key)
            .containsExactly(ModelKeys.POLICY, ModelKeys.FD);
        takeUp(brain);
      }
      double[] rewards = new double[3];
      int i = 0;
      for (CuriosityBrain brain : List.of(a, b, c)) {
        SplittableRandom random = new SplittableRandom(1);
        brain.decide(frame(random, 1), 1, false);
        republishEncoder(); // a VAE publish changes nothing here
        Decision d = brain.decide(frame(random, 2), 2, false);
        assertThat(d.computeMs()).hasSize(2);
        rewards[i++] = d.reward();
      }
      assertThat(rewards[0]).isFinite().isEqualTo(rewards[1]);
      assertThat(rewards[2]).isNotEqualTo(rewards[0]);
    } finally {
      a.close();
      b.close();
      c.close();
    }
  }

  @Test
  @DisplayName("random features: one seed fills two encoders identically, in PyTorch's default range")
  void randomFeaturesAreDeterministic() {
    VaeEncoder one = new VaeEncoder(VAE);
    VaeEncoder two = new VaeEncoder(VAE);
    VaeEncoder other = new VaeEncoder(VAE);
    for (Block b : List.of(one, two, other)) {
      b.initialize(manager, DataType.FLOAT32, VAE.frameShape(1));
    }
    RandomFeatures.fill(one, 11, manager);
    RandomFeatures.fill(two, 11, manager);
    RandomFeatures.fill(other, 12, manager);
    ai.djl.nn.ParameterList p1 = one.getParameters();
    ai.djl.nn.ParameterList p2 = two.getParameters();
    ai.djl.nn.ParameterList p3 = other.getParameters();
    boolean anyDiffers = false;
    for (int k = 0; k < p1.size(); k++) {
      float[] x = p1.get(k).getValue().getArray().toFloatArray();
      assertThat(p2.get(k).getValue().getArray().toFloatArray()).containsExactly(x);
      anyDiffers |= !java.util.Arrays.equals(x, p3.get(k).getValue().getArray().toFloatArray());
      ai.djl.ndarray.types.Shape s = p1.get(k).getValue().getArray().getShape();
      if (s.dimension() >= 2) {
        float bound = (float) (1 / Math.sqrt((double) s.size() / s.get(0)));
        for (float v : x) {
          assertThat(Math.abs(v)).isLessThanOrEqualTo(bound);
        }
      }
    }
    assertThat(anyDiffers).isTrue();
  }

  @Test
  @DisplayName("paired: z comes from the encoder the forward model's snapshot carries, not the VAE's newest")
  void pairedEncoderIsTheForwardModelsOwn() {
    VaeEncoder trainedAgainst = newEncoder();
    fdPublisher.publish(Map.of("model", fd, ModelKeys.FD_ENCODER, trainedAgainst), 1);
    RewardOptions pairedOptions = new RewardOptions(1, 0, true, false, 0, 0, true);
    CuriosityBrain paired = new CuriosityBrain(VAE, FD, POLICY, pairedOptions, 3, params);
    // the same models, with the VAE's newest encoder being the one the pair carries
    LocalMap<String, ParamSnapshot> other = vertx.sharedData().getLocalMap("brain-test-newest");
    ParamPublisher vae2 = new ParamPublisher(ModelKeys.VAE, other, 0);
    ParamPublisher fd2 = new ParamPublisher(ModelKeys.FD, other, 0);
    ParamPublisher policy2 = new ParamPublisher(ModelKeys.POLICY, other, 0);
    vae2.publish(Map.of("encoder", trainedAgainst), 0);
    fd2.publish(Map.of("model", fd), 0);
    policy2.publish(Map.of("model", policy), 0);
    RewardOptions newestOptions = new RewardOptions(1, 0, true, false, 0);
    CuriosityBrain sameEncoder = new CuriosityBrain(VAE, FD, POLICY, newestOptions, 3, other);
    CuriosityBrain vaesEncoder = new CuriosityBrain(VAE, FD, POLICY, newestOptions, 3, params);
    try {
      assertThat(paired.followers()).extracting(ParamFollower::key).containsExactly(ModelKeys.POLICY, ModelKeys.FD);
      double[] rewards = new double[3];
      int i = 0;
      for (CuriosityBrain brain : List.of(paired, sameEncoder, vaesEncoder)) {
        takeUp(brain);
        SplittableRandom random = new SplittableRandom(1);
        brain.decide(frame(random, 1), 1, false);
        rewards[i++] = brain.decide(frame(random, 2), 2, false).reward();
      }
      assertThat(rewards[0]).as("the pair's encoder, as a brain whose newest VAE is that encoder").isFinite()
          .isEqualTo(rewards[1]);
      assertThat(rewards[2]).as("the VAE's newest encoder (setUp's) gives another reward").isNotEqualTo(rewards[0]);
    } finally {
      paired.close();
      sameEncoder.close();
      vaesEncoder.close();
      other.values().forEach(ParamSnapshot::release);
      vae2.close();
      fd2.close();
      policy2.close();
    }
  }

  @Test
  @DisplayName("paired: a VAE publish changes nothing; a forward-model swap leaves the step across it unrewarded;"
      + " a snapshot without the encoder is passed over")
  void pairedSwaps() {
    CuriosityBrain brain = new CuriosityBrain(VAE, FD, POLICY, new RewardOptions(1, 0, true, false, 0, 0, true), 3,
        params);
    try {
      takeUp(brain);
      assertThat(brain.followers().get(1).inUseVersion()).as("fd@1 has no encoder group: not taken up").isZero();
      fdPublisher.publish(Map.of("model", fd, ModelKeys.FD_ENCODER, newEncoder()), 1);
      takeUp(brain);
      assertThat(brain.followers().get(1).inUseVersion()).isEqualTo(2);
      SplittableRandom random = new SplittableRandom(1);
      brain.decide(frame(random, 1), 1, false);
      republishEncoder();
      takeUp(brain);
      Decision afterVae = brain.decide(frame(random, 2), 2, false);
      assertThat(afterVae.reward()).as("the VAE's publish does not reach the agent's latents").isFinite();
      assertThat(afterVae.completed().versions()).doesNotContainKey(ModelKeys.VAE)
          .containsEntry(ModelKeys.FD, 2L);

      fdPublisher.publish(Map.of("model", fd, ModelKeys.FD_ENCODER, newEncoder()), 2);
      takeUp(brain);
      Decision across = brain.decide(frame(random, 3), 3, false);
      assertThat(across.reward()).as("prediction from fd@2's pair, target from fd@3's encoder").isNaN();
      assertThat(across.completed()).isNotNull();
      assertThat(brain.encoderSwapSteps()).isEqualTo(1);
      assertThat(brain.decide(frame(random, 4), 4, false).reward()).isFinite();
    } finally {
      brain.close();
    }
  }

  private VaeEncoder newEncoder() {
    VaeEncoder encoder = new VaeEncoder(VAE);
    encoder.initialize(manager, DataType.FLOAT32, VAE.frameShape(1));
    return encoder;
  }

  private void republishEncoder() {
    VaeEncoder encoder = new VaeEncoder(VAE);
    encoder.initialize(manager, DataType.FLOAT32, VAE.frameShape(1));
    vaePublisher.publish(Map.of("encoder", encoder), 1);
  }

  /** What the agent verticle and loop do between ticks: copy the newest snapshots in, then flip. */
  private static void takeUp(CuriosityBrain brain) {
    for (ParamFollower f : brain.followers()) {
      f.prepare();
      f.swapIfReady();
    }
  }

  private static Frame frame(SplittableRandom random, long sequence) {
    float[] chw = new float[VAE.frameSize()];
    for (int i = 0; i < chw.length; i++) {
      chw[i] = (float) random.nextDouble();
    }
    return new Frame(chw, 48, 48, sequence, System.nanoTime());
  }
}
