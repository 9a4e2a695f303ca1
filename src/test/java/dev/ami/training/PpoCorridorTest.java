package dev.ami.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.ami.agent.ActionSampler;
import dev.ami.bus.StepRecord;
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
  @DisplayName("PPO raises the return in a 1-D corridor within 30 updates")
  void raisesReturn() throws Exception {
    PolicySpec spec = new PolicySpec(SIDE, 4, 32);
    PpoOptions options = new PpoOptions(64, 0.95, 0.95, 0.2, 0.5, 0.001, 16, 4, 3e-3, 0, 1000);
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
          assertThat(trainer.step()).isFinite();
        }
        trainer.endRun();
        SnapshotCopy.copyGroup(publisher.publish(trainer.groups(), u + 1), "model", actor);
      }
      double first = (rewardPerUpdate[0] + rewardPerUpdate[1] + rewardPerUpdate[2]) / 3;
      double last = (rewardPerUpdate[27] + rewardPerUpdate[28] + rewardPerUpdate[29]) / 3;
      // a random walk pays about 0.03 per step here, the best policy 0.2 (one reward per 5 steps)
      assertThat(last).as("reward per step, first updates %s, last %s", first, last)
          .isGreaterThan(0.1).isGreaterThan(2 * first);
    } finally {
      params.values().forEach(ParamSnapshot::release);
      vertx.close();
    }
  }
}
