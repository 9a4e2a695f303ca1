package dev.ami.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.ami.agent.ActionSampler;
import dev.ami.bus.StepRecord;
import dev.ami.config.PpoOptions;
import dev.ami.data.Rollouts;
import dev.ami.model.PolicySpec;
import dev.ami.model.PolicyValue;
import dev.ami.params.ParamPublisher;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.SnapshotCopy;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * PPO learns a tiny deterministic task through the runtime's own path: act on a copy of the published policy,
 * send steps with their log-probabilities, update on rollouts, publish, copy, act again.
 */
class PpoCorridorTest {
  private static final int LENGTH = 6;
  private static final int SIDE = 36;

  /** A 1-D corridor: Vertical forward steps right, back steps left; reaching the end pays 1 and restarts. */
  private static final class Corridor {
    int position;

    byte[] observation() {
      byte[] f = new byte[3 * SIDE * SIDE];
      int from = position * SIDE / LENGTH;
      for (int y = 0; y < SIDE; y++) {
        for (int x = from; x < from + SIDE / LENGTH; x++) {
          f[y * SIDE + x] = (byte) 255; // red channel: a bright band where the agent stands
        }
      }
      return f;
    }

    float act(int vertical) {
      position = Math.max(0, position + vertical - 1);
      if (position == LENGTH - 1) {
        position = 0;
        return 1;
      }
      return 0;
    }
  }

  @Test
  @DisplayName("PPO raises the return in a 1-D corridor within 30 updates (raw rewards, clipped value, no grad clip)")
  void raisesReturn() throws Exception {
    corridor(new PpoOptions(64, 0.95, 0.95, 0.2, 0.2, 0.5, 0.001, 0, 0, 0, false, false, 0, 16, 4, 3e-3, 0, 1000));
  }

  @Test
  @DisplayName("... and with the runtime's defaults: normalised, clipped rewards, minibatch advantages, grad clip"
      + " 0.5, unclipped value at 0.25; every update reports its figures; the normaliser travels in snapshots")
  void raisesReturnWithDefaults() throws Exception {
    java.util.List<dev.ami.bus.PpoUpdate> updates = corridor(defaults(0, 0));
    assertThat(updates).hasSize(30);
    for (dev.ami.bus.PpoUpdate u : updates) {
      assertThat(u.steps() + u.skipped()).isEqualTo(64 / 16 * 4);
      assertThat(u.gradNorm()).isPositive().isFinite();
      assertThat(u.approxKl()).isGreaterThanOrEqualTo(0).isFinite();
      assertThat(u.clipFrac()).isBetween(0.0, 1.0);
      assertThat(u.entropy()).hasSize(5);
      assertThat(u.rewardScale()).isPositive().isFinite();
    }
    assertThat(updates.get(29).update()).isEqualTo(30);
    assertThat(updates).allSatisfy(u -> assertThat(u.entCoef()).as("a fixed weight")
        .isCloseTo(0.001, org.assertj.core.api.Assertions.within(1e-8)));
  }

  @Test
  @DisplayName("... and with a target entropy: the part the corridor rewards concentrates and its weight rises, the"
      + " parts it ignores stay near uniform at the configured weight, PPO still learns, the weights travel")
  void raisesReturnWithTargetEntropy() throws Exception {
    java.util.List<dev.ami.bus.PpoUpdate> updates = corridor(defaults(0.5, 0.05));
    System.out.println("entropy weights after 30 updates: " + java.util.Arrays.toString(lastWeights));
    // Vertical is the corridor's only choice: as PPO makes it near certain, its entropy falls below half of ln 3
    // and its weight climbs (0.05 · shortfall a minibatch, up to 0.1). The others drift only by chance, and how
    // far depends on the CPU's rounding (CI saw part 4 at 0.0022, this machine part 1 at 0.0065): they keep the
    // floor and stay well below Vertical's weight, not exactly at the floor
    assertThat(lastWeights[0]).as("Vertical, the part the corridor rewards").isGreaterThan(0.01f);
    for (int h = 1; h < 5; h++) {
      assertThat(lastWeights[h]).as("part %d, which the corridor ignores", h)
          .isGreaterThanOrEqualTo(0.001f).isLessThan(lastWeights[0] / 5);
    }
    assertThat(updates.get(29).entCoef()).as("the mean weight rose").isGreaterThan(0.001);
  }

  private float[] lastWeights;

  /** The runtime's PPO defaults at the corridor's sizes, with an entropy target (0 = the fixed weight). */
  private static PpoOptions defaults(double targetEntropy, double rate) {
    return new PpoOptions(64, 0.95, 0.95, 0.2, 0, 0.25, 0.001, targetEntropy, rate, 0.5, true, true, 5, 16, 4, 3e-3,
        0, 1000);
  }

  /** Trains 30 updates in the corridor and checks the return rose; returns every update's report. */
  private java.util.List<dev.ami.bus.PpoUpdate> corridor(PpoOptions options) throws Exception {
    PolicySpec spec = new PolicySpec(SIDE, 4, 32);
    java.util.List<dev.ami.bus.PpoUpdate> updates = new java.util.ArrayList<>();
    Rollouts rollouts = new Rollouts(1000);
    Vertx vertx = Vertx.vertx();
    LocalMap<String, ParamSnapshot> params = vertx.sharedData().getLocalMap("ppo-corridor");
    try (PpoTrainer trainer = new PpoTrainer(spec, options, rollouts, 3);
         NDManager actorManager = NDManager.newBaseManager();
         ParamPublisher publisher = new ParamPublisher("policy", params, 0)) {
      JniUtils.setGradMode(false);
      PolicyValue actor = new PolicyValue(spec);
      actor.initialize(actorManager, DataType.FLOAT32, spec.frameShape(1));
      ParameterStore store = new ParameterStore(actorManager, false);
      SnapshotCopy.copyGroup(publisher.publish(trainer.groups(), 0), "model", actor);

      Corridor corridor = new Corridor();
      SplittableRandom random = new SplittableRandom(5);
      double[] rewardPerUpdate = new double[30];
      long tick = 0;
      int steps = 0;
      int skipped = 0;
      for (int u = 0; u < rewardPerUpdate.length; u++) {
        double rewards = 0;
        int collected = 0;
        while (rollouts.size() < options.rollout() + 1) {
          byte[] obs = corridor.observation();
          float[] chw = new float[obs.length];
          dev.ami.data.Pixels.toFloats(obs, chw, 0);
          float[] logProbs;
          float value;
          try (NDManager t = actorManager.newSubManager()) {
            NDList out = actor.forward(store, new NDList(t.create(chw, spec.frameShape(1))), false);
            logProbs = PolicyValue.logProbs(out.get(0)).toFloatArray();
            value = out.get(1).getFloat();
          }
          int[] parts = ActionSampler.sample(logProbs, random);
          float reward = corridor.act(parts[0]);
          rewards += reward;
          collected++;
          rollouts.add(new StepRecord(++tick, obs, SIDE, parts, ActionSampler.logp(logProbs, parts), value, reward,
              null, false, false, Map.of(), 0));
        }
        rewardPerUpdate[u] = rewards / collected;
        assertThat(trainer.canStartRun(false)).isTrue();
        trainer.beginRun();
        while (trainer.nextBatch()) {
          // a NaN is a step the trainer skipped: libtorch's rare NaN gradients from a finite loss (TrainerBase)
          skipped += Float.isFinite(trainer.step()) ? 0 : 1;
          steps++;
        }
        trainer.endRun();
        dev.ami.bus.PpoUpdate report = trainer.takeUpdate();
        assertThat(report).isNotNull();
        assertThat(trainer.takeUpdate()).as("each report is taken once").isNull();
        updates.add(report);
        SnapshotCopy.copyGroup(publisher.publish(trainer.groups(), u + 1), "model", actor);
      }
      try (PpoTrainer next = new PpoTrainer(spec, options, new Rollouts(10), 4)) {
        ParamSnapshot last = publisher.current();
        assertThat(last.tryAcquire()).isTrue();
        try {
          next.restore(last); // as a redeployed or restarted trainer starts, and as a checkpoint resumes
        } finally {
          last.release();
        }
        assertThat(next.rewardScale()).as("the reward normaliser's std travels with the policy's snapshot")
            .isCloseTo(trainer.rewardScale(), org.assertj.core.api.Assertions.within(1e-5 * trainer.rewardScale()));
        lastWeights = trainer.entropyWeights();
        assertThat(next.entropyWeights()).as("so do the entropy weights")
            .containsExactly(lastWeights, org.assertj.core.api.Assertions.within(1e-6f));
      }
      assertThat(skipped).as("steps skipped for non-finite gradients, of %d", steps).isLessThanOrEqualTo(steps / 50);
      assertThat(trainer.parametersFinite()).isTrue();
      double first = (rewardPerUpdate[0] + rewardPerUpdate[1] + rewardPerUpdate[2]) / 3;
      double last = (rewardPerUpdate[27] + rewardPerUpdate[28] + rewardPerUpdate[29]) / 3;
      // a random walk pays about 0.03 per step here, the best policy 0.2 (one reward per 5 steps)
      assertThat(last).as("reward per step, first updates %s, last %s", first, last)
          .isGreaterThan(0.1).isGreaterThan(2 * first);
      return updates;
    } finally {
      params.values().forEach(ParamSnapshot::release);
      vertx.close();
    }
  }
}
